package closetaskbulk.run;

import java.util.function.IntSupplier;

/** The batches a run queued, taken and done: its end waits for them (after a halt, only for those taken). */
public final class BatchWaits {

    private int submitted;
    private int taken;
    private int completed;

    /** A batch was queued for direct:bulk-update (seda:batches). */
    public synchronized void submitted() {
        submitted++;
    }

    /** A worker took a queued batch: from now on it may be sending. */
    public synchronized void taken() {
        taken++;
    }

    /** A queued batch is done, whatever its outcome. */
    public synchronized void completed() {
        completed++;
        notifyAll();
    }

    /** Waits up to {@code ms} for every queued batch; true when none is outstanding. */
    public synchronized boolean awaitBatches(long ms) throws InterruptedException {
        return awaitCompleted(() -> submitted, ms);
    }

    /** After a halt no queued batch starts a call: waits only for the batches already taken. */
    public synchronized boolean awaitTaken(long ms) throws InterruptedException {
        return awaitCompleted(() -> taken, ms);
    }

    /** Under the lock: waits up to {@code ms} until {@code completed} reaches the count. */
    private boolean awaitCompleted(IntSupplier count, long ms) throws InterruptedException {
        long end = System.currentTimeMillis() + ms;
        while (completed < count.getAsInt() && System.currentTimeMillis() < end) {
            wait(Math.max(1, end - System.currentTimeMillis()));
        }
        return completed >= count.getAsInt();
    }
}
