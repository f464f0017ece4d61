package closetaskbulk.ops;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Metrics;

/**
 * The bundle's own meters, on Micrometer's global registry: Camel's Prometheus registry joins it at start
 * (Application), so they appear at /observe/metrics as closetaskbulk_*. Without it they cost nothing.
 */
public final class Meters {

    private static final Map<String, AtomicLong> REMAINING = new ConcurrentHashMap<>();

    private Meters() {
    }

    public static void row(String status) {
        Metrics.counter("closetaskbulk.rows", "status", status).increment();
    }

    public static void batch() {
        Metrics.counter("closetaskbulk.batches").increment();
    }

    /** A call to Close by endpoint group ("read", "write") and HTTP status ("none": no answer). */
    public static void request(String group, String status) {
        Metrics.counter("closetaskbulk.requests", "group", group, "status", status).increment();
    }

    public static void rateLimitWait(String group, long ms) {
        Metrics.timer("closetaskbulk.rate.limit.wait", "group", group).record(ms, TimeUnit.MILLISECONDS);
    }

    /** The last RateLimit remaining Close reported for a group. */
    public static void remaining(String group, double remaining) {
        REMAINING.computeIfAbsent(group, g -> Metrics.gauge("closetaskbulk.rate.limit.remaining",
                io.micrometer.core.instrument.Tags.of("group", g), new AtomicLong(), AtomicLong::get))
                .set((long) remaining);
    }

    /** How long a file or a sweep run took. */
    public static void run(String kind, long ms) {
        Metrics.timer("closetaskbulk.run.duration", "kind", kind).record(ms, TimeUnit.MILLISECONDS);
    }
}
