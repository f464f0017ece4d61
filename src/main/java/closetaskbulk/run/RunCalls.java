package closetaskbulk.run;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import closetaskbulk.ops.Meters;

/**
 * A run's calls to Close: requests by endpoint group, retries, batches sent, failures in a row (5xx, no answer),
 * and the chart over time (rows done, requests, retries, 429s, RateLimit remaining).
 */
public final class RunCalls {

    private final Map<String, Integer> requests = new LinkedHashMap<>();
    private final RunSeries series;
    private final LongSupplier rowsDone;
    private final AtomicInteger failedInARow = new AtomicInteger();
    private int batches;
    private int retries;

    RunCalls(long started, LongSupplier rowsDone) {
        this.series = new RunSeries(started);
        this.rowsDone = rowsDone;
    }

    /** A call to Close, by endpoint group; a resend also counts as a retry. */
    public synchronized void counted(String group, boolean retry) {
        requests.merge(group, 1, Integer::sum);
        if (retry) {
            retries++;
        }
        sample(false);
    }

    /** Close answered a call: its status and RateLimit remaining (null: not reported), for the chart. */
    public synchronized void answered(int status, Double remaining) {
        series.answered(status, remaining == null ? -1 : remaining.longValue());
        sample(false);
    }

    public synchronized void batchSent() {
        batches++;
        Meters.batch();
    }

    /** A call failed for good with a 5xx or no answer (true), or Close answered one (false). */
    void closeFailed(boolean failed) {
        if (failed) {
            failedInARow.incrementAndGet();
        } else {
            failedInARow.set(0);
        }
    }

    /** Batches in a row whose call failed for good with a 5xx or no answer. */
    int failedInARow() {
        return failedInARow.get();
    }

    synchronized int total() {
        return requests.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The summary's figures of calls: batches, requests by group and in total, retries. */
    synchronized void figures(Map<String, Object> s) {
        s.put("batches", batches);
        Map<String, Integer> req = new LinkedHashMap<>(requests);
        req.put("total", total());
        s.put("requests", req);
        s.put("retries", retries);
    }

    /** The run over time, a sample now included. */
    synchronized Map<String, Object> series() {
        sample(true);
        return series.toMap();
    }

    /** Under the lock: a sample of the chart when one is due. */
    private void sample(boolean force) {
        series.sample(System.currentTimeMillis(), rowsDone.getAsLong(), total(), retries, force);
    }
}
