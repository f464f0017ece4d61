package closetaskbulk.run;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Rows are grouped by update and cut only at the batch size: the fewest requests Close allows. */
class BatcherTest {

    @TempDir
    Path reports;

    private static final Update DONE = new Update(null, null, true);
    private static final Update BOB = new Update("user_bob", null, null);

    private Batcher batcher(int batchSize, int maxOpen) {
        Run run = new Run("t", reports, "test", false, Map.of(), List.of("assigned_to", "is_complete"));
        return new Batcher(run, batchSize, maxOpen, 100);
    }

    @Test
    void interleavedUpdatesMakeFullBatchesOfOneUpdateEach() {
        Batcher b = batcher(2, 100);
        assertEquals(List.of(), b.add(2, "task_1", DONE, null, null));
        assertEquals(List.of(), b.add(3, "task_2", BOB, null, null));
        List<Batch> full = b.add(4, "task_3", DONE, null, null);
        assertEquals(1, full.size());
        assertEquals(List.of("task_1", "task_3"), full.get(0).ids());
        assertEquals(DONE, full.get(0).update());
        b.add(5, "task_4", DONE, null, null);
        List<Batch> rest = b.flush();
        assertEquals(List.of(List.of("task_2"), List.of("task_4")), rest.stream().map(Batch::ids).toList());
        assertEquals(List.of(), b.flush(), "flushed once");
    }

    @Test
    void pastMaxOpenUpdatesTheOldestBatchLeavesEarly() {
        Batcher b = batcher(100, 1);
        b.add(2, "task_1", DONE, null, null);
        List<Batch> early = b.add(3, "task_2", BOB, null, null);
        assertEquals(List.of(List.of("task_1")), early.stream().map(Batch::ids).toList());
        assertEquals(List.of(List.of("task_2")), b.flush().stream().map(Batch::ids).toList());
    }

    @Test
    void batchNumbersFollowTheOrderBatchesOpen() {
        Batcher b = batcher(1, 100);
        assertEquals(1, b.add(2, "task_1", DONE, null, null).get(0).number());
        assertEquals(2, b.add(3, "task_2", BOB, null, null).get(0).number());
    }
}
