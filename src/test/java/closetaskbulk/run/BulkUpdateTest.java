package closetaskbulk.run;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Route bulk-update's decisions for one batch: after the read, what is NOT_FOUND, UNCHANGED, DRY_RUN or written,
 * and the batch's way (header batchWay).
 */
class BulkUpdateTest {

    @TempDir
    Path reports;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Update DONE = new Update(null, null, true);
    private final BulkUpdate steps = new BulkUpdate(5);

    /** A batch of task_gone (not found), task_done (already complete), task_open; read as Close would answer. */
    private Batch read(boolean dryRun) throws Exception {
        Run run = new Run("t", reports, "test", dryRun, Map.of(), List.of("is_complete"));
        Batch b = new Batch(run, DONE, 1);
        b.add(2, "task_gone");
        b.add(3, "task_done");
        b.add(4, "task_open");
        b.request(); // the read's chunk
        b.answer(JSON.readTree("{\"data\": [{\"id\": \"task_done\", \"is_complete\": true},"
                + " {\"id\": \"task_open\", \"is_complete\": false, \"date\": \"2026-01-02\"}]}"));
        assertEquals(dryRun ? BulkUpdate.NOTHING_TO_WRITE : BulkUpdate.WRITE, steps.classify(b), "the batch's way");
        return b;
    }

    @Test
    void onlyTheRowsThatChangeAreWrittenAndConfirmedRowsAreUpdated() throws Exception {
        Batch b = read(false);
        Run run = b.run();
        assertEquals(Status.NOT_FOUND, run.results().status(2));
        assertEquals(Status.UNCHANGED, run.results().status(3));
        assertTrue(b.isWriting());
        JsonNode put = JSON.readTree(b.request());
        assertEquals("task_open", put.path("_params").path("id__in").asText());
        assertTrue(put.path("is_complete").asBoolean());
        steps.confirmed(b);
        assertEquals(Status.UPDATED, run.results().status(4));
        assertFalse(b.isWriting());
    }

    @Test
    void aDryRunWritesNothing() throws Exception {
        Batch b = read(true);
        assertEquals(Status.DRY_RUN, b.run().results().status(4));
        assertFalse(b.isWriting());
    }

    @Test
    void aPlanRowWhoseTaskChangedSinceIsNotWritten() throws Exception {
        Run run = new Run("t", reports, "test", false, Map.of(), List.of("assigned_to"));
        Batch b = new Batch(run, new Update("user_bob", null, null), 1);
        b.add(2, "task_same", Map.of("assigned_to", "user_alice"), null);
        b.add(3, "task_moved", Map.of("assigned_to", "user_alice"), null);
        b.request();
        b.answer(JSON.readTree("{\"data\": [{\"id\": \"task_same\", \"assigned_to\": \"user_alice\"},"
                + " {\"id\": \"task_moved\", \"assigned_to\": \"user_carol\"}]}"));
        assertEquals(BulkUpdate.WRITE, steps.classify(b));
        assertEquals(Status.CHANGED_SINCE_PLAN, run.results().status(3));
        assertTrue(run.results().message(3).contains("'user_carol'"), run.results().message(3));
        assertEquals("task_same", JSON.readTree(b.request()).path("_params").path("id__in").asText());
    }

    @Test
    void aFailedBatchIsLeftAlone() throws Exception {
        Run run = new Run("t", reports, "test", false, Map.of(), List.of("is_complete"));
        Batch b = new Batch(run, DONE, 1);
        b.add(2, "task_a");
        b.fail(503, "Close answered 503");
        assertEquals(BulkUpdate.NOTHING_TO_WRITE, steps.classify(b));
        assertFalse(b.isWriting());
        assertEquals(Status.FAILED, run.results().status(2));
    }
}
