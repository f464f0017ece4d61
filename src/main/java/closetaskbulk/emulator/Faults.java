package closetaskbulk.emulator;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;

/**
 * Seeded, deterministic fault injection: latency, 5xx (or any status) on chosen calls or with a probability,
 * dropped connections, and answers slower than the client's timeout. A group of {@code null} means any.
 */
public class Faults {

    record Action(int status, boolean drop, long delayMs, String body, java.util.Map<String, String> headers) {
        Action(int status, boolean drop, long delayMs) {
            this(status, drop, delayMs, null, java.util.Map.of());
        }
    }

    private record Planned(String group, int status, boolean drop, long delayMs, String body,
                           java.util.Map<String, String> headers) {
        Planned(String group, int status, boolean drop, long delayMs) {
            this(group, status, drop, delayMs, null, java.util.Map.of());
        }

        Planned(String group, int status, boolean drop, long delayMs, String body) {
            this(group, status, drop, delayMs, body, java.util.Map.of());
        }
    }

    private Random random;
    private final Deque<Planned> planned = new ArrayDeque<>();
    private long latencyMs;
    private long jitterMs;
    private double errorRate;
    private int errorStatus = 503;
    private double dropRate;
    private double burst429Rate;

    Faults(long seed) {
        random = new Random(seed);
    }

    public synchronized Faults seed(long seed) {
        random = new Random(seed);
        return this;
    }

    /** Every answer waits {@code fixedMs} plus a random 0..{@code jitterMs}. */
    public synchronized Faults latency(long fixedMs, long jitterMs) {
        this.latencyMs = fixedMs;
        this.jitterMs = jitterMs;
        return this;
    }

    /** The next {@code count} calls to {@code group} answer {@code status} (no effect on the store). */
    public synchronized Faults failNext(String group, int count, int status) {
        for (int i = 0; i < count; i++) {
            planned.add(new Planned(group, status, false, 0));
        }
        return this;
    }

    /** The next {@code count} calls to {@code group} get their connection closed with no answer. */
    public synchronized Faults dropNext(String group, int count) {
        for (int i = 0; i < count; i++) {
            planned.add(new Planned(group, 0, true, 0));
        }
        return this;
    }

    /**
     * The next {@code count} calls to {@code group} get {@code status} with this raw body (an HTML error page
     * with a 200, an empty or cut body), as a proxy in front of Close might answer. No effect on the store.
     */
    public synchronized Faults answerNext(String group, int count, int status, String body) {
        for (int i = 0; i < count; i++) {
            planned.add(new Planned(group, status, false, 0, body));
        }
        return this;
    }

    /**
     * The next {@code count} calls to {@code group} are answered as usual ({@code status} 0) or with
     * {@code status}, with these headers set over the usual ones (a malformed RateLimit, a long Retry-After;
     * an empty value leaves the header out).
     */
    public synchronized Faults headersNext(String group, int count, int status, java.util.Map<String, String> headers) {
        for (int i = 0; i < count; i++) {
            planned.add(new Planned(group, status, false, 0, null, java.util.Map.copyOf(headers)));
        }
        return this;
    }

    /** The next call to {@code group} is answered (normally) only after {@code delayMs}. */
    public synchronized Faults stallNext(String group, long delayMs) {
        planned.add(new Planned(group, 0, false, delayMs));
        return this;
    }

    public synchronized Faults errorRate(double p, int status) {
        errorRate = p;
        errorStatus = status;
        return this;
    }

    public synchronized Faults dropRate(double p) {
        dropRate = p;
        return this;
    }

    /** A share of calls answered 429 even though budget remains, as some Close groups do. */
    public synchronized Faults burst429Rate(double p) {
        burst429Rate = p;
        return this;
    }

    public synchronized Faults clear() {
        planned.clear();
        latencyMs = 0;
        jitterMs = 0;
        errorRate = 0;
        dropRate = 0;
        burst429Rate = 0;
        return this;
    }

    synchronized Action next(String group) {
        long delay = latencyMs + (jitterMs > 0 ? (long) (random.nextDouble() * jitterMs) : 0);
        for (var it = planned.iterator(); it.hasNext(); ) {
            Planned p = it.next();
            if (p.group() == null || p.group().equals(group)) {
                it.remove();
                return new Action(p.status(), p.drop(), delay + p.delayMs(), p.body(), p.headers());
            }
        }
        double r = random.nextDouble();
        if (r < dropRate) {
            return new Action(0, true, delay);
        }
        if (r < dropRate + errorRate) {
            return new Action(errorStatus, false, delay);
        }
        if (r < dropRate + errorRate + burst429Rate) {
            return new Action(429, false, delay);
        }
        return new Action(0, false, delay);
    }

    void delay(Action a) {
        if (a.delayMs() > 0) {
            try {
                Thread.sleep(a.delayMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
