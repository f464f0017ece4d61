package closetaskbulk.csv;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import closetaskbulk.bulk.Batch;
import closetaskbulk.bulk.Run;
import closetaskbulk.bulk.Update;

/**
 * Groups the rows of one run by update into batches of at most close.batch-size ids. A batch leaves when
 * full, at the end of the input ({@link #flush}), or, when more than {@code maxOpen} distinct updates are
 * open at once, the oldest leaves early to bound memory.
 */
public final class Batcher {

    private final Run run;
    private final int batchSize;
    private final int maxOpen;
    private final LinkedHashMap<Update, Batch> open = new LinkedHashMap<>();

    public Batcher(Run run, int batchSize, int maxOpen) {
        this.run = run;
        this.batchSize = batchSize;
        this.maxOpen = maxOpen;
    }

    /** Adds a row; returns the batches that are now ready (usually none). */
    public List<Batch> add(int line, String id, Update update) {
        Batch b = open.get(update);
        List<Batch> ready = List.of();
        if (b == null) {
            if (open.size() >= maxOpen) {
                Iterator<Map.Entry<Update, Batch>> eldest = open.entrySet().iterator();
                ready = new ArrayList<>(2);
                ready.add(eldest.next().getValue());
                eldest.remove();
            }
            b = new Batch(run, update, run.nextBatchNumber());
            open.put(update, b);
        }
        b.add(line, id);
        if (b.size() >= batchSize) {
            open.remove(update);
            if (ready.isEmpty()) {
                return List.of(b);
            }
            ready.add(b);
        }
        return ready;
    }

    /** Every partial batch, at the end of the input. */
    public List<Batch> flush() {
        List<Batch> rest = new ArrayList<>(open.values());
        open.clear();
        return rest;
    }
}
