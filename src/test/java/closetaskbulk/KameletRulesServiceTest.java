package closetaskbulk;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A Kamelet message's run is opened by the same rules as a file's: bulk.filter.* is added to every batch (a
 * filtered task is NOT_FOUND and untouched) and bulk.max-open-batches bounds the open batches.
 */
class KameletRulesServiceTest extends ServiceTestSupport {

    @Override
    protected void prepare(Fixture fixture) {
        fixture.set("bulk.filter.is_complete", "false");
        fixture.set("bulk.max-open-batches", "1");
    }

    @Test
    void theKameletAppliesTheIntakeFilterAndTheOpenBatchBound() {
        List<String> t = f.seed(4);
        ObjectNode complete = (ObjectNode) f.emulator.store().get(t.get(0));
        complete.put("is_complete", true);
        f.emulator.store().put(complete);
        // two updates, alternating: with one batch open at a time, each row sends the one before it early
        List<Map<String, String>> rows = List.of(Map.of("id", t.get(0), "date", "2027-01-01"),
                Map.of("id", t.get(1), "date", "2027-01-02"), Map.of("id", t.get(2), "date", "2027-01-01"),
                Map.of("id", t.get(3), "date", "2027-01-02"));

        Map<?, ?> summary = template.requestBody("kamelet:close-task-bulk-update-sink?runName=rules", rows, Map.class);

        assertEquals(Map.of("is_complete", "false"), summary.get("filter"), summary.toString());
        Map<?, ?> counts = (Map<?, ?>) summary.get("counts");
        assertEquals(List.of(3, 1), List.of(counts.get("UPDATED"), counts.get("NOT_FOUND")), summary.toString());
        assertEquals("2026-12-01", f.emulator.store().get(t.get(0)).path("date").asText(), "filtered out: untouched");
        assertEquals(4, f.count("GET /task/"), "bulk.max-open-batches=1: four batches of one id, each read once");
    }
}
