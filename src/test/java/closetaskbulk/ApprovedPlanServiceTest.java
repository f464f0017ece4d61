package closetaskbulk;

import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The service applies a plan dropped into bulk.approved, and moves it to bulk.done. */
class ApprovedPlanServiceTest extends ServiceTestSupport {

    @Test
    void aPlanDroppedIntoApprovedIsApplied() throws Exception {
        List<String> ids = f.seed(3);
        String plan = "line,id,is_complete_before,is_complete_after,planned_at\n"
                + "2," + ids.get(0) + ",false,true," + java.time.Instant.now() + "\n"
                + "3," + ids.get(1) + ",true,true," + java.time.Instant.now() + "\n"
                + "4," + ids.get(2) + ",false,true," + java.time.Instant.now() + "\n";
        Files.createDirectories(f.approved);
        Files.writeString(f.approved.resolve(".tmp"), plan);
        Files.move(f.approved.resolve(".tmp"), f.approved.resolve("friday.plan.csv"));
        await().atMost(20, TimeUnit.SECONDS).until(() -> Files.exists(f.reports.resolve("friday.plan.summary.json")));
        await().atMost(20, TimeUnit.SECONDS).until(() -> f.files(f.done).contains("friday.plan.csv"));
        assertEquals(List.of("UPDATED", "CHANGED_SINCE_PLAN", "UPDATED"),
                Fixture.statuses(f.results("friday.plan")));
        assertTrue(f.emulator.store().get(ids.get(0)).get("is_complete").asBoolean());
        assertEquals(List.of(), f.files(f.approved));
        assertEquals(1, f.count("PUT /task/"));
    }
}
