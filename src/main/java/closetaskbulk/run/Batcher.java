package closetaskbulk.run;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;


/**
 * Groups the rows of one run by update into batches of at most close.batch-size ids. A batch leaves when
 * full, at the end of the input ({@link #flush}), or, when more than {@code maxOpen} distinct updates are
 * open at once, the oldest leaves early to bound memory.
 */
final class Batcher {

    private final Run run;
    private final int batchSize;
    private final int maxOpen;
    private final int listLimit;
    private final LinkedHashMap<Update, Batch> open = new LinkedHashMap<>();

    Batcher(Run run, int batchSize, int maxOpen, int listLimit) {
        this.run = run;
        this.batchSize = batchSize;
        this.maxOpen = maxOpen;
        this.listLimit = listLimit;
    }

    /** A batch leaves the batcher: the run waits for it from now on. */
    private Batch out(Batch b) {
        run.waits().submitted();
        return b;
    }

    /** Adds a row; returns the batches that are now ready (usually none). */
    List<Batch> add(int line, String id, Update update, Map<String, String> expected, List<String> carried) {
        Batch b = open.get(update);
        List<Batch> ready = List.of();
        if (b == null) {
            if (open.size() >= maxOpen) {
                Iterator<Map.Entry<Update, Batch>> eldest = open.entrySet().iterator();
                ready = new ArrayList<>(2);
                ready.add(out(eldest.next().getValue()));
                eldest.remove();
            }
            b = new Batch(run, update, run.nextBatchNumber());
            b.listLimit(listLimit);
            open.put(update, b);
        }
        b.add(line, id, expected, carried);
        if (b.size() >= batchSize) {
            open.remove(update);
            if (ready.isEmpty()) {
                return List.of(out(b));
            }
            ready.add(out(b));
        }
        return ready;
    }

    /** Every partial batch, at the end of the input. */
    List<Batch> flush() {
        List<Batch> rest = new ArrayList<>(open.values());
        open.clear();
        rest.forEach(this::out);
        return rest;
    }
}
