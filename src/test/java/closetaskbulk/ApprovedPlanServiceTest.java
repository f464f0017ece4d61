package closetaskbulk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service applies a plan its preview wrote, dropped into bulk.approved, and moves it to bulk.done; an
 * edited copy is refused whole into bulk.failed.
 */
class ApprovedPlanServiceTest extends ServiceTestSupport {

    @Test
    void aPlanDroppedIntoApprovedIsAppliedAndAnEditedOneRefused() throws Exception {
        List<String> ids = f.seed(3);
        Path preview = Path.of(f.settings.get("bulk.preview"));
        Files.createDirectories(preview);
        Files.writeString(preview.resolve(".tmp"), Fixture.csv("id,is_complete", ids.stream().map(i -> i + ",true").toList()));
        Files.move(preview.resolve(".tmp"), preview.resolve("friday.csv"));
        await().atMost(20, TimeUnit.SECONDS).until(() -> Files.exists(f.reports.resolve("friday.summary.json")));
        String plan = Files.readString(f.reports.resolve("friday.plan.csv"));
        ObjectNode t = (ObjectNode) f.emulator.store().get(ids.get(1));
        t.put("is_complete", true); // completed in Close after the preview: it holds the plan's _after already
        f.emulator.store().put(t);

        Files.createDirectories(f.approved);
        Files.writeString(f.approved.resolve(".tmp"), plan.replace(ids.get(1) + ",false,true", ids.get(1) + ",false,false"));
        Files.move(f.approved.resolve(".tmp"), f.approved.resolve("edited.plan.csv"));
        await().atMost(20, TimeUnit.SECONDS).until(() -> f.files(f.failed).contains("edited.plan.csv"));
        String reason = f.summary("edited.plan").get("reason").asText();
        assertTrue(reason.contains("make a new preview"), reason);
        assertEquals(0, f.count("PUT /task/"));

        Files.writeString(f.approved.resolve(".tmp"), plan);
        Files.move(f.approved.resolve(".tmp"), f.approved.resolve("friday.plan.csv"));
        await().atMost(20, TimeUnit.SECONDS).until(() -> Files.exists(f.reports.resolve("friday.plan.summary.json")));
        await().atMost(20, TimeUnit.SECONDS).until(() -> f.files(f.done).contains("friday.plan.csv"));
        assertEquals(List.of("UPDATED", "UNCHANGED", "UPDATED"),
                Fixture.statuses(f.results("friday.plan")));
        assertTrue(f.emulator.store().get(ids.get(0)).get("is_complete").asBoolean());
        assertEquals(List.of(), f.files(f.approved));
        assertEquals(1, f.count("PUT /task/"));
    }
}
