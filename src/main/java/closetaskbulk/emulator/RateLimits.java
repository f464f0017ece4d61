package closetaskbulk.emulator;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets per endpoint group and key. {@code limit} tokens, refilled at {@code perSecond}; the
 * {@code RateLimit} header's {@code reset} is the time until the bucket is full again. Off by default.
 */
public class RateLimits {

    public record Answer(boolean allowed, int limit, int remaining, double reset) {
        public String header() {
            return String.format(Locale.ROOT, "limit=%d, remaining=%d, reset=%.3f", limit, remaining, reset);
        }
    }

    private volatile int limit = 1000;
    private volatile double perSecond = 0;
    private final Map<String, double[]> buckets = new ConcurrentHashMap<>(); // tokens, lastNanos

    /** Limits every group and key to {@code perSecond} requests a second, with a burst of {@code limit}. */
    public RateLimits set(int limit, double perSecond) {
        this.limit = limit;
        this.perSecond = perSecond;
        buckets.clear();
        return this;
    }

    public Answer take(String bucket) {
        return update(bucket, true);
    }

    Answer peek(String bucket) {
        return update(bucket, false);
    }

    private Answer update(String bucket, boolean take) {
        if (perSecond <= 0) {
            return new Answer(true, limit, limit, 0);
        }
        double[] b = buckets.computeIfAbsent(bucket, k -> new double[] {limit, System.nanoTime()});
        synchronized (b) {
            long now = System.nanoTime();
            b[0] = Math.min(limit, b[0] + (now - b[1]) / 1e9 * perSecond);
            b[1] = now;
            boolean allowed = b[0] >= 1;
            if (take && allowed) {
                b[0] -= 1;
            }
            double reset = (limit - b[0]) / perSecond;
            return new Answer(!take || allowed, limit, (int) Math.floor(b[0]), reset);
        }
    }
}
