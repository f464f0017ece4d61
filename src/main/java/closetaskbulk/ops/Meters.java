package closetaskbulk.ops;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The bundle's own meters, on Camel's registry (camel-micrometer-prometheus, served at /observe/metrics as
 * closetaskbulk_*, each with its help text). Bundle hands that registry over while Camel runs ({@link #on}); one-off
 * runs have no metrics, and then these cost nothing. One registry per process: runs, batches and calls are made in
 * many places, and all count into it.
 */
public final class Meters {

    private static volatile MeterRegistry registry;
    private static final Map<String, AtomicLong> REMAINING = new ConcurrentHashMap<>();

    private Meters() {
    }

    /** Camel's registry while the service runs; null when it stops. */
    public static void on(MeterRegistry camelRegistry) {
        registry = camelRegistry;
        REMAINING.clear();
    }

    public static void row(String status) {
        MeterRegistry r = registry;
        if (r != null) {
            Counter.builder("closetaskbulk.rows").description("Rows that reached a result, by status (UPDATED, "
                    + "UNCHANGED, NOT_FOUND, INVALID, DUPLICATE, FAILED, DRY_RUN, CHANGED_SINCE_PLAN)")
                    .tag("status", status).register(r).increment();
        }
    }

    public static void batch() {
        MeterRegistry r = registry;
        if (r != null) {
            Counter.builder("closetaskbulk.batches").description("Batches sent to Close (up to close.batch-size ids "
                    + "sharing one update)").register(r).increment();
        }
    }

    /** A call to Close by endpoint group ("read", "write") and HTTP status ("none": no answer). */
    public static void request(String group, String status) {
        MeterRegistry r = registry;
        if (r != null) {
            Counter.builder("closetaskbulk.requests").description("Calls to Close's API, by endpoint group (read, "
                    + "write, users) and HTTP status (none: no answer)").tags("group", group, "status", status)
                    .register(r).increment();
        }
    }

    public static void rateLimitWait(String group, long ms) {
        MeterRegistry r = registry;
        if (r != null) {
            Timer.builder("closetaskbulk.rate.limit.wait").description("Time spent waiting on Close's rate limit "
                    + "(RateLimit reset, Retry-After) before a call, by endpoint group").tag("group", group)
                    .register(r).record(ms, TimeUnit.MILLISECONDS);
        }
    }

    /** The last RateLimit remaining Close reported for a group. */
    public static void remaining(String group, double remaining) {
        MeterRegistry r = registry;
        if (r != null) {
            REMAINING.computeIfAbsent(group, g -> {
                AtomicLong value = new AtomicLong();
                Gauge.builder("closetaskbulk.rate.limit.remaining", value, AtomicLong::get).description("Requests "
                        + "left in Close's current rate-limit window, as its last RateLimit header said, by endpoint "
                        + "group").tag("group", g).register(r);
                return value;
            }).set((long) remaining);
        }
    }

    /** How long a file or a sweep run took. */
    public static void run(String kind, long ms) {
        MeterRegistry r = registry;
        if (r != null) {
            Timer.builder("closetaskbulk.run.duration").description("Runs from their first row to their reports, by "
                    + "kind (file, sweep)").tag("kind", kind).register(r).record(ms, TimeUnit.MILLISECONDS);
        }
    }
}
