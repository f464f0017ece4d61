package closetaskbulk.close;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.Exchange;

/**
 * Paces calls per endpoint group ("read", "write") on what Close's RateLimit header says, so a steady limit
 * gives no 429, also with several instances on one key:
 * <ul>
 * <li>an answer's {@code remaining}, times {@code share}, less this instance's calls in flight, is what it
 * may send before the next answer;</li>
 * <li>that allowance is spread evenly over the time to the window's {@code reset} (a trickle, not a burst
 * then a wait): against a token bucket the pace settles at its refill rate with the bucket half full, so
 * Close's capacity is never left unused by a full bucket, and against a fixed window no more is sent before
 * the reset than the answer allowed;</li>
 * <li>when the allowance is spent, wait for the window's {@code reset};</li>
 * <li>after the reset, until the next answer, one call at a time: others may have spent the new window, so
 * only a fresh answer says how much is left.</li>
 * </ul>
 * Two instances each spending at most half of what their latest answer showed never spend more than the
 * window holds (docs/CLUSTER.md). After a 429 the group waits reset, else Retry-After, else 2 s. Every wait
 * of one call counts against close.rate-limit.max-wait.
 */
public class Pacer {

    static final String WAITED = "closeWaitedMs";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Pacer.class);
    private static final Pattern FIELD = Pattern.compile("(limit|remaining|reset)\\s*=\\s*([0-9.]+)",
            Pattern.CASE_INSENSITIVE);
    private static final long ANSWER_POLL_MS = 50;

    private static final class Group {
        boolean paced = true; // false once Close answers without a RateLimit header: nothing to pace by
        double allowance = -1; // calls this instance may send before the next answer; -1: none known
        long resetAt;
        long blockedUntil;
        long lastCall;
        long nextAt; // the allowance's next slot (nanoTime), spread over the time to the reset
        double lastFresh = -1; // what the previous answer allowed
        int callsSinceAnswer; // calls reserved since the previous answer
        int inflight; // calls sent and not yet answered
        long sent;
        double remaining = -1; // what Close's last RateLimit header said is left in its window
        int rateLimited;
    }

    /** Per endpoint group, for the console: calls sent, in flight, Close's remaining budget, waits. */
    public Map<String, Map<String, Object>> snapshot() {
        Map<String, Map<String, Object>> out = new java.util.TreeMap<>();
        long now = System.nanoTime();
        groups.forEach((name, g) -> {
            synchronized (g) {
                Map<String, Object> m = new java.util.LinkedHashMap<>();
                m.put("sent", g.sent);
                m.put("in_flight", g.inflight);
                m.put("remaining", g.remaining < 0 ? null : (long) g.remaining);
                m.put("reset_in_ms", g.resetAt > now ? (g.resetAt - now) / 1_000_000 : 0);
                m.put("waiting_ms", g.blockedUntil > now ? (g.blockedUntil - now) / 1_000_000 : 0);
                m.put("rate_limited", g.rateLimited);
                m.put("paced", g.paced);
                out.put(name, m);
            }
        });
        return out;
    }

    private final Map<String, Group> groups = new ConcurrentHashMap<>();
    private final long maxWaitMs;
    private final double maxPerSecond;
    private final double share;
    private final long answerTimeoutNs;

    public Pacer(long maxWaitMs, double maxPerSecond) {
        this(maxWaitMs, maxPerSecond, 1);
    }

    /**
     * @param share the part of Close's remaining budget this instance spends (close.rate-limit.share):
     *              1 alone, 1/N for N instances on one key
     */
    public Pacer(long maxWaitMs, double maxPerSecond, double share) {
        this(maxWaitMs, maxPerSecond, share, 70_000);
    }

    /**
     * @param answerTimeoutMs the longest a call can stay unanswered (connect and response timeouts): a call
     *                        in flight longer than that is taken as lost, so waiting for its answer ends
     */
    public Pacer(long maxWaitMs, double maxPerSecond, double share, long answerTimeoutMs) {
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("close.rate-limit.share must be above 0 and at most 1, was " + share);
        }
        this.maxWaitMs = maxWaitMs;
        this.maxPerSecond = maxPerSecond;
        this.share = share;
        this.answerTimeoutNs = answerTimeoutMs * 1_000_000;
    }

    private volatile Supplier<String> haltReason = () -> null;

    /** After a halt no call leaves the pacer: calls waiting here are refused, not sent. */
    public void haltWhen(Supplier<String> reason) {
        this.haltReason = reason;
    }

    /** Wakes every waiting call, so that it sees a halt at once. */
    public void wakeAll() {
        for (Group g : groups.values()) {
            synchronized (g) {
                g.notifyAll();
            }
        }
    }

    private void refuseIfHalted(boolean reserved, String groupName) {
        String halted = haltReason.get();
        if (halted != null) {
            if (reserved) {
                release(groupName);
            }
            throw new CloseHalt(0, "not sent: the bundle halted earlier (" + halted + ")");
        }
    }

    private Group group(String name) {
        return groups.computeIfAbsent(name, k -> new Group());
    }

    /** Blocks until a call to {@code group} fits the budget; reserves it. */
    public void acquire(Exchange exchange, String groupName) {
        Group g = group(groupName);
        while (true) {
            refuseIfHalted(false, groupName);
            long sleepMs;
            long until;
            boolean reserved = false;
            synchronized (g) {
                long now = System.nanoTime();
                long at = Math.max(now, g.blockedUntil);
                boolean fits = !g.paced || g.allowance >= 1;
                if (g.inflight > 0 && now - g.lastCall >= answerTimeoutNs) {
                    g.inflight = 0; // sent longer ago than any answer can take: lost
                }
                if (!fits && at < g.resetAt) {
                    at = g.resetAt; // spent: wait for the reset
                } else if (!fits && at == now && g.inflight > 0) {
                    // no answer yet since the reset: the next call waits for one
                    long waitMs = Math.max(1, Math.min(ANSWER_POLL_MS, budgetLeft(exchange)));
                    try {
                        g.wait(waitMs);
                    } catch (InterruptedException e) {
                        throw interrupted();
                    }
                    count(exchange, groupName, Math.max(1, (System.nanoTime() - now) / 1_000_000));
                    continue;
                }
                if (at == now) { // it may go: reserve the call (at the ceiling's next slot, if any)
                    if (maxPerSecond > 0 && g.lastCall != 0) {
                        at = Math.max(at, g.lastCall + (long) (1e9 / maxPerSecond));
                    }
                    if (g.paced && g.allowance >= 1) {
                        at = Math.max(at, g.nextAt);
                        g.nextAt = at + Math.max(0, g.resetAt - at) / (long) g.allowance;
                        g.allowance -= 1;
                    }
                    g.lastCall = at;
                    g.callsSinceAnswer++;
                    g.inflight++;
                    g.sent++;
                    reserved = true;
                }
                sleepMs = (at - now + 999_999) / 1_000_000;
                until = at;
            }
            if (sleepMs > 0) {
                try {
                    count(exchange, groupName, sleepMs);
                } catch (RateLimitBudgetSpent e) {
                    if (reserved) {
                        release(groupName); // not sent after all
                    }
                    throw e;
                }
                pause(g, until);
            }
            if (reserved) {
                refuseIfHalted(true, groupName);
                return;
            }
        }
    }

    private long budgetLeft(Exchange exchange) {
        return maxWaitMs - exchange.getProperty(WAITED, 0L, Long.class);
    }

    /** Adds a wait to this call's total; past close.rate-limit.max-wait the call gives up. */
    private void count(Exchange exchange, String groupName, long ms) {
        long already = exchange.getProperty(WAITED, 0L, Long.class);
        long waited = already + ms;
        if (waited > maxWaitMs) { // checked before the wait: a Retry-After of an hour is not waited at all
            throw new RateLimitBudgetSpent("Close's rate limit asks for a wait of " + seconds(ms) + " more; with "
                    + seconds(already) + " waited on this call already, that is beyond close.rate-limit.max-wait="
                    + maxWaitMs + " ms, so the bundle did not wait and gave up on this call");
        }
        exchange.setProperty(WAITED, waited);
        closetaskbulk.ops.Meters.rateLimitWait(groupName, ms);
    }

    private static String seconds(long ms) {
        return ms < 10_000 ? String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0) : ms / 1000 + " s";
    }

    /** Waits until {@code until} (nanoTime), or a halt. */
    private void pause(Group g, long until) {
        synchronized (g) {
            long left;
            while ((left = until - System.nanoTime()) > 0 && haltReason.get() == null) {
                try {
                    g.wait(Math.max(1, (left + 999_999) / 1_000_000));
                } catch (InterruptedException e) {
                    throw interrupted();
                }
            }
        }
    }

    private static CloseServerError interrupted() {
        Thread.currentThread().interrupt();
        return new CloseServerError(0, "interrupted while waiting on the rate limit");
    }

    /** What a RateLimit header says is left in its window, or null (none, or not a number). */
    static Double remaining(String rateLimit) {
        return field(rateLimit, "remaining");
    }

    /** One field of a RateLimit header (any case, ',' or ';' between fields), or null (absent or malformed). */
    private static Double field(String rateLimit, String name) {
        Matcher m = rateLimit == null ? null : FIELD.matcher(rateLimit);
        while (m != null && m.find()) {
            if (m.group(1).equalsIgnoreCase(name)) {
                try {
                    return Double.parseDouble(m.group(2));
                } catch (NumberFormatException e) { // '1.2.3': wellFormed says so, once per group
                    return null;
                }
            }
        }
        return null;
    }

    private final java.util.Set<String> warnedMalformed = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * The RateLimit header if its numbers are numbers, else null: a malformed header counts as absent (one
     * WARN per endpoint group), never as a failed call.
     */
    private String wellFormed(String groupName, String rateLimit) {
        if (rateLimit == null) {
            return null;
        }
        Matcher m = FIELD.matcher(rateLimit);
        while (m.find()) {
            try {
                Double.parseDouble(m.group(2));
            } catch (NumberFormatException e) {
                if (warnedMalformed.add(groupName)) {
                    LOG.warn("Close's RateLimit header '{}' ({} calls) is malformed: paced as if it were absent",
                            rateLimit.length() > 100 ? rateLimit.substring(0, 100) + "…" : rateLimit, groupName);
                }
                return null;
            }
        }
        return rateLimit;
    }

    /** A call is answered (or given up on): it no longer counts as in flight; callers waiting look again. */
    private static void answered(Group g) {
        g.inflight = Math.max(0, g.inflight - 1);
        g.notifyAll();
    }

    /** Takes the RateLimit header of an answer (any case, ',' or ';' between fields); the call is answered. */
    public void update(String groupName, String header) {
        String rateLimit = wellFormed(groupName, header);
        Double remaining = field(rateLimit, "remaining");
        Double reset = field(rateLimit, "reset");
        Group g = group(groupName);
        synchronized (g) {
            answered(g);
            if (remaining == null) {
                g.paced = false;
                return;
            }
            g.paced = true;
            g.remaining = remaining;
            closetaskbulk.ops.Meters.remaining(groupName, remaining);
            // Each answer leaves out the calls still in flight. Answers arrive out of order: one may not allow
            // more than the previous answer still does (less the calls since), so a late, older answer cannot
            // raise the allowance; a window's budget is not held against the next one.
            long now = System.nanoTime();
            double fresh = Math.max(0, Math.floor(remaining * share) - g.inflight);
            boolean sameWindow = g.lastFresh >= 0 && now < g.resetAt;
            g.allowance = sameWindow ? Math.max(0, Math.min(fresh, g.lastFresh - g.callsSinceAnswer)) : fresh;
            g.lastFresh = fresh;
            g.callsSinceAnswer = 0;
            g.resetAt = now + (long) ((reset == null ? 1 : reset) * 1e9);
            if (g.allowance >= 1) { // the next slot: the allowance spread from the last call to the reset
                g.nextAt = g.lastCall + (g.resetAt - now) / (long) g.allowance;
            }
        }
    }

    /** A call that got no answer (timeout, dropped connection): it no longer counts as in flight. */
    public void release(String groupName) {
        Group g = group(groupName);
        synchronized (g) {
            answered(g);
        }
    }

    /** A 429: block the group for reset, else Retry-After, else 2 s. Returns the wait in ms. */
    public long rateLimited(String groupName, String header, String retryAfter) {
        String rateLimit = wellFormed(groupName, header);
        Double reset = field(rateLimit, "reset");
        double seconds = reset == null ? 0 : reset;
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
            answered(g);
            g.blockedUntil = Math.max(g.blockedUntil, System.nanoTime() + ms * 1_000_000);
            g.allowance = 0;
            g.paced = true;
            g.resetAt = g.blockedUntil;
            g.rateLimited++;
        }
        return ms;
    }

}
