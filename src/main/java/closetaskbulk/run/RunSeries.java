package closetaskbulk.run;

import java.util.ArrayList;
import java.util.List;

/**
 * A run over time, for the console's chart: every {@code step} ms a sample of rows done, requests, retries,
 * 429s and the last RateLimit remaining. At most {@link #MAX} samples: when full, every other one goes and the
 * step doubles, so a run of any length costs the same few kilobytes. Called under the run's lock.
 */
final class RunSeries {

    static final int MAX = 120;
    private final long start;
    private long step = 1000;
    private long next;
    private final List<long[]> samples = new ArrayList<>(MAX); // {t ms, rows, requests, retries, 429s, remaining}
    private long remaining = -1;
    private long rateLimited;

    RunSeries(long start) {
        this.start = start;
        this.next = start;
    }

    /** An answer from Close: its status, and the RateLimit remaining it reported (-1 when none). */
    void answered(int status, long remainingNow) {
        if (status == 429) {
            rateLimited++;
        }
        if (remainingNow >= 0) {
            remaining = remainingNow;
        }
    }

    /** Takes a sample when one is due (or always, at the end). */
    void sample(long now, long rows, long requests, long retries, boolean force) {
        if (now < next && !force) {
            return;
        }
        if (samples.size() == MAX) {
            for (int i = 1; i < samples.size(); i++) {
                samples.remove(i);
            }
            step *= 2;
        }
        samples.add(new long[] {now - start, rows, requests, retries, rateLimited, remaining});
        next = now + step;
    }

    /** Column-wise, as the page draws it: t_ms, rows, requests, retries, rate_limited, remaining (null: none). */
    java.util.Map<String, Object> toMap() {
        String[] names = {"t_ms", "rows", "requests", "retries", "rate_limited", "remaining"};
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int c = 0; c < names.length; c++) {
            List<Long> col = new ArrayList<>(samples.size());
            for (long[] s : samples) {
                col.add(c == 5 && s[c] < 0 ? null : s[c]);
            }
            m.put(names[c], col);
        }
        return m;
    }
}
