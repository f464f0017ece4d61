package closetaskbulk.bulk;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.Exchange;

/**
 * Paces calls per endpoint group ("read", "write") on what Close's RateLimit header says: when the budget
 * is spent, wait for its reset before the next call, so a steady limit gives no 429. After a 429 the group
 * waits reset, else Retry-After, else 2 s. Every wait of one call counts against close.rate-limit.max-wait.
 */
public class Pacer {

    static final String WAITED = "closeWaitedMs";
    private static final Pattern FIELD = Pattern.compile("(limit|remaining|reset)\\s*=\\s*([0-9.]+)",
            Pattern.CASE_INSENSITIVE);

    private static final class Group {
        double remaining = -1; // unknown until the first answer
        long resetAt;
        long blockedUntil;
        long lastCall;
        int inflight; // calls sent and not yet answered
    }

    private final Map<String, Group> groups = new ConcurrentHashMap<>();
    private final long maxWaitMs;
    private final double maxPerSecond;
    private final int reserve;

    public Pacer(long maxWaitMs, double maxPerSecond) {
        this(maxWaitMs, maxPerSecond, 0);
    }

    /**
     * @param reserve calls of each window's budget left to other callers of the key (other instances of a
     *                cluster, whose calls in flight this instance cannot see): close.rate-limit.reserve
     */
    public Pacer(long maxWaitMs, double maxPerSecond, int reserve) {
        this.maxWaitMs = maxWaitMs;
        this.maxPerSecond = maxPerSecond;
        this.reserve = Math.max(0, reserve);
    }

    private Group group(String name) {
        return groups.computeIfAbsent(name, k -> new Group());
    }

    /** Blocks until a call to {@code group} fits the budget; reserves it. */
    public void acquire(Exchange exchange, String groupName) {
        Group g = group(groupName);
        long wait;
        synchronized (g) {
            long now = System.nanoTime();
            long at = Math.max(now, g.blockedUntil);
            if (g.remaining >= 0 && g.remaining < 1 + reserve && g.resetAt > at) {
                at = g.resetAt;
            }
            if (maxPerSecond > 0 && g.lastCall != 0) {
                at = Math.max(at, g.lastCall + (long) (1e9 / maxPerSecond));
            }
            if (g.remaining >= 1) {
                g.remaining -= 1;
            }
            g.lastCall = at;
            g.inflight++;
            wait = (at - now) / 1_000_000;
        }
        if (wait <= 0) {
            return;
        }
        long waited = exchange.getProperty(WAITED, 0L, Long.class) + wait;
        if (waited > maxWaitMs) {
            throw new RateLimitBudgetSpent("gave up after waiting " + waited / 1000 + " s on Close's rate limit "
                    + "(close.rate-limit.max-wait=" + maxWaitMs + " ms)");
        }
        exchange.setProperty(WAITED, waited);
        closetaskbulk.ops.Meters.rateLimitWait(groupName, wait);
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CloseServerError(0, "interrupted while waiting on the rate limit");
        }
    }

    /** Takes the RateLimit header of an answer (any case, ',' or ';' between fields); the call is answered. */
    public void update(String groupName, String rateLimit) {
        if (rateLimit == null) {
            return;
        }
        Double remaining = null;
        Double reset = null;
        Matcher m = FIELD.matcher(rateLimit);
        while (m.find()) {
            double v = Double.parseDouble(m.group(2));
            switch (m.group(1).toLowerCase(Locale.ROOT)) {
                case "remaining" -> remaining = v;
                case "reset" -> reset = v;
                default -> { }
            }
        }
        Group g = group(groupName);
        synchronized (g) {
            g.inflight = Math.max(0, g.inflight - 1);
            if (remaining == null) {
                return;
            }
            // Answers arrive out of order, and each leaves out the calls still in flight: within a window an
            // answer may only lower the estimate (acquire lowers it too); after its reset, start afresh.
            long now = System.nanoTime();
            double fresh = Math.max(0, remaining - g.inflight);
            closetaskbulk.ops.Meters.remaining(groupName, remaining);
            g.remaining = g.remaining >= 0 && now < g.resetAt ? Math.min(g.remaining, fresh) : fresh;
            g.resetAt = now + (long) ((reset == null ? 1 : reset) * 1e9);
        }
    }

    /** A call that got no answer (timeout, dropped connection): it no longer counts as in flight. */
    public void release(String groupName) {
        Group g = group(groupName);
        synchronized (g) {
            g.inflight = Math.max(0, g.inflight - 1);
        }
    }

    /** A 429: block the group for reset, else Retry-After, else 2 s. Returns the wait in ms. */
    public long rateLimited(String groupName, String rateLimit, String retryAfter) {
        double seconds = 0;
        Matcher m = rateLimit == null ? null : FIELD.matcher(rateLimit);
        while (m != null && m.find()) {
            if (m.group(1).equalsIgnoreCase("reset")) {
                seconds = Double.parseDouble(m.group(2));
            }
        }
        if (seconds <= 0 && retryAfter != null) { // a 429 with budget left says reset=0: Retry-After then
            try {
                seconds = Double.parseDouble(retryAfter.trim());
            } catch (NumberFormatException e) {
                seconds = 0; // an HTTP date: rare
            }
        }
        if (seconds <= 0) {
            seconds = 2; // Close's own client's default
        }
        long ms = Math.max(1, (long) (seconds * 1000));
        Group g = group(groupName);
        synchronized (g) {
            g.inflight = Math.max(0, g.inflight - 1);
            g.blockedUntil = Math.max(g.blockedUntil, System.nanoTime() + ms * 1_000_000);
            g.remaining = 0;
            g.resetAt = g.blockedUntil;
        }
        return ms;
    }

}
