package closetaskbulk.run;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import closetaskbulk.ops.Meters;

/**
 * A run's result per input line, kept as small arrays (a million rows cost a few MB; a message is kept once and
 * referred to by number), and its counts by status.
 */
public final class RunResults {

    private byte[] status = new byte[1024];
    private short[] http = new short[1024];
    private int[] message = new int[1024];
    private final List<String> messages = new ArrayList<>();
    private final Map<String, Integer> messageIndex = new HashMap<>();
    private final EnumMap<Status, Integer> counts = new EnumMap<>(Status.class);

    /** Sized once for the rows the run has: no doubling (and its garbage) on the way. */
    synchronized void reserve(long rows) {
        if (rows > 0 && rows < Integer.MAX_VALUE / 4) {
            ensure((int) rows + 1);
        }
    }

    /** A line's result; a row keeps its first. */
    public synchronized void result(int line, Status s, int httpStatus, String msg) {
        ensure(line);
        if (status[line] != 0) {
            return;
        }
        status[line] = (byte) (s.ordinal() + 1);
        http[line] = (short) httpStatus;
        message[line] = msg == null ? -1 : messageIndex.computeIfAbsent(msg, m -> {
            messages.add(m);
            return messages.size() - 1;
        });
        counts.merge(s, 1, Integer::sum);
        Meters.row(s.name());
    }

    /** DUPLICATE keeps the first line's number instead of a message, to stay small. */
    public synchronized void duplicate(int line, int firstLine) {
        ensure(line);
        status[line] = (byte) (Status.DUPLICATE.ordinal() + 1);
        message[line] = firstLine;
        counts.merge(Status.DUPLICATE, 1, Integer::sum);
        Meters.row(Status.DUPLICATE.name());
    }

    public synchronized Status status(int line) {
        return line < status.length && status[line] != 0 ? Status.values()[status[line] - 1] : null;
    }

    public synchronized Map<Status, Integer> counts() {
        return new EnumMap<>(counts);
    }

    /** Every status with its count, zeros included, in the summary's order. */
    synchronized Map<String, Integer> allCounts() {
        Map<String, Integer> c = new LinkedHashMap<>();
        for (Status st : Status.values()) {
            c.put(st.name(), counts.getOrDefault(st, 0));
        }
        return c;
    }

    /** True when every row is UPDATED or UNCHANGED, or in a dry run DRY_RUN (exit code 0). */
    public synchronized boolean allOk() {
        for (Map.Entry<Status, Integer> e : counts.entrySet()) {
            if (e.getValue() > 0 && e.getKey() != Status.UPDATED && e.getKey() != Status.UNCHANGED
                    && e.getKey() != Status.DRY_RUN) {
                return false;
            }
        }
        return true;
    }

    /** Rows with a result so far. */
    public synchronized long done() {
        return counts.values().stream().mapToLong(Integer::longValue).sum();
    }

    /** The message of a line's result, for the results file. */
    synchronized String message(int line) {
        if (status(line) == Status.DUPLICATE) {
            return "same id as line " + message[line];
        }
        return message[line] < 0 ? "" : messages.get(message[line]);
    }

    synchronized int http(int line) {
        return line < http.length ? http[line] : 0;
    }

    private void ensure(int line) {
        if (line >= status.length) {
            int n = Math.max(line + 1, status.length * 2);
            status = Arrays.copyOf(status, n);
            http = Arrays.copyOf(http, n);
            message = Arrays.copyOf(message, n);
        }
    }
}
