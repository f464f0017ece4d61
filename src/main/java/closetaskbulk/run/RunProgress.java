package closetaskbulk.run;

import java.util.Locale;

import org.slf4j.Logger;

/** A run's progress line (bulk.progress-interval): rows done of total, rate and time left, at most so often. */
final class RunProgress {

    private final long started;
    private final long everyMs;
    private long total;
    private long last = System.currentTimeMillis();

    RunProgress(long started, long everyMs) {
        this.started = started;
        this.everyMs = everyMs;
    }

    /** How many rows the run has (counted before it starts). */
    synchronized void total(long rows) {
        this.total = rows;
    }

    synchronized long total() {
        return total;
    }

    /** The line, when one is due. Cheap to call often. */
    void log(Logger log, String name, long done) {
        long now = System.currentTimeMillis();
        long of;
        synchronized (this) {
            if (now - last < everyMs) {
                return;
            }
            last = now;
            of = total;
        }
        Long secondsLeft = secondsLeft(done, now);
        String left = secondsLeft == null ? "" : ", about " + secondsLeft + " s left";
        log.info("{}: {} of {} rows ({}%), {} rows/s{}", name, String.format(Locale.ROOT, "%,d", done),
                String.format(Locale.ROOT, "%,d", of), of == 0 ? 100 : done * 100 / of,
                String.format(Locale.ROOT, "%,d", rate(done, now)), left);
    }

    /** Rows per second since the start. */
    long rate(long done, long now) {
        return (long) (done / Math.max(0.001, (now - started) / 1000.0));
    }

    /** Seconds left at this rate, or null when unknown (no rate yet, or nothing left). */
    synchronized Long secondsLeft(long done, long now) {
        long rate = rate(done, now);
        return total > done && rate > 0 ? (total - done) / rate + 1 : null;
    }
}
