package closetaskbulk.run;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One file or one sweep run: a result per input line (kept as small arrays, so a million rows cost a few MB),
 * counters, and the reports. Results are written in input order at the end by walking the input again
 * ({@link RowSource}); undo rows are written as batches are confirmed.
 */
public class Run {

    public enum Status { UPDATED, UNCHANGED, NOT_FOUND, INVALID, DUPLICATE, FAILED, DRY_RUN, CHANGED_SINCE_PLAN }

    /** Walks the run's rows again, in input order, for the reports. */
    public interface RowSource {
        void forEach(RowVisitor visitor) throws IOException;
    }

    public interface RowVisitor {
        void row(int line, String id, List<String> cells) throws IOException;
    }

    private final String name;
    private final RunReports reports;
    private final String source;
    private final boolean dryRun;
    private final Map<String, String> filter;
    private final List<String> updateColumns;
    private final Instant started = Instant.now();
    private final AtomicInteger batchNumbers = new AtomicInteger();

    private byte[] status = new byte[1024];
    private short[] http = new short[1024];
    private int[] message = new int[1024];
    private final List<String> messages = new ArrayList<>();
    private final Map<String, Integer> messageIndex = new HashMap<>();
    private final EnumMap<Status, Integer> counts = new EnumMap<>(Status.class);
    private final Map<String, Integer> requests = new LinkedHashMap<>();
    private int batches;
    private int retries;
    private int submitted;
    private int taken;
    private int completed;

    /**
     * @param name          report base name (the input file without .csv, or sweep-id-timestamp)
     * @param source        what the rows came from, for the summary (a file path or a sweep)
     * @param filter        the Close list filters added to every batch
     * @param updateColumns the update columns this run may change, in undo file order
     */
    public Run(String name, Path reportsDir, String source, boolean dryRun, Map<String, String> filter,
               List<String> updateColumns) {
        this(name, reportsDir, source, dryRun, filter, updateColumns, null);
    }

    /** With {@code base}: the report name to use (a resumed run writes over its own partial reports). */
    public Run(String name, Path reportsDir, String source, boolean dryRun, Map<String, String> filter,
               List<String> updateColumns, String base) {
        this.name = name;
        this.source = source;
        this.dryRun = dryRun;
        this.filter = Map.copyOf(filter);
        this.updateColumns = List.copyOf(updateColumns);
        this.reports = new RunReports(this, reportsDir, base != null ? base : RunReports.uniqueBase(reportsDir, name));
    }

    private Journal journal;
    private String authorization;
    private String tzOffset;
    private boolean readBeforeWrite = true;
    private RowSource rows;
    private Batcher batcher;
    private boolean ended;
    private final IdIndex seen = new IdIndex();
    private final RunSeries series = new RunSeries(started.toEpochMilli());

    private Map<String, List<String>> usersByEmail;
    private String usersFailure;
    private boolean usersListed;

    /** The organization's users by lower-cased e-mail (or why they could not be listed): once per run. */
    synchronized void users(Map<String, List<String>> byEmail, String failure) {
        this.usersByEmail = byEmail == null ? Map.of() : Map.copyOf(byEmail);
        this.usersFailure = failure;
        this.usersListed = true;
    }

    /** Route list-users: the user list to fetch for this run. */
    public UserList userList() {
        return new UserList(this);
    }

    /** The users were listed for this run (route run's needs-users). */
    public synchronized boolean isUsersListed() {
        return usersListed;
    }

    private final AtomicInteger failedInARow = new AtomicInteger();

    /** A call of this run failed for good with a 5xx or no answer (true), or Close answered one (false). */
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

    /** The ids of the users with this e-mail (any case): none, one, or more when users share it. */
    synchronized List<String> userIds(String email) {
        return usersByEmail == null ? List.of()
                : usersByEmail.getOrDefault(email.toLowerCase(java.util.Locale.ROOT), List.of());
    }

    /** Why the users could not be listed, or null. */
    synchronized String usersFailure() {
        return usersFailure;
    }

    /** Records the id at line; returns the earlier line of the same id in this run, or 0. */
    synchronized int seen(String id, int line) {
        return seen.putIfAbsent(id, line);
    }

    /** x-tz-offset for every read and write of this run (a sweep's time zone), or null. */
    public Run tzOffset(String hours) {
        this.tzOffset = hours;
        return this;
    }

    public String tzOffset() {
        return tzOffset;
    }

    public Run readBeforeWrite(boolean on) {
        this.readBeforeWrite = on;
        return this;
    }

    /** A dry run always reads: its plan holds what each row held before. */
    public boolean readBeforeWrite() {
        return readBeforeWrite || dryRun;
    }

    /** Walks the run's input again, in order, when the reports are written. */
    public Run rows(RowSource source) {
        this.rows = source;
        return this;
    }

    RowSource rows() {
        return rows;
    }

    /** Groups this run's rows into batches (close.batch-size, bulk.max-open-batches, close.list-limit). */
    public Run batching(int batchSize, int maxOpen, int listLimit) {
        this.batcher = new Batcher(this, batchSize, maxOpen, listLimit);
        return this;
    }

    Batcher batcher() {
        return batcher;
    }

    private Runnable onEnd = () -> { };

    /** Called once the run has ended, whichever way (--sweep ends the process then). */
    public Run onEnd(Runnable r) {
        this.onEnd = r;
        return this;
    }

    /** True once the run's summary is written (finished, halted, rejected): it ends once. */
    public synchronized boolean ended() {
        return ended;
    }

    /** An Authorization header of this run's own (the Kamelet's apiKey); never logged or reported. */
    public Run authorization(String header) {
        this.authorization = header;
        return this;
    }

    public String authorization() {
        return authorization;
    }

    public Run journal(Journal j) {
        this.journal = j;
        return this;
    }

    /** The write-ahead journal of this run, or null (dry runs, sweeps). */
    public Journal journal() {
        return journal;
    }

    public String base() {
        return reports.base();
    }

    /** A taken name gets a time suffix: nothing is overwritten. */
    public static String uniqueBase(Path dir, String name) {
        return RunReports.uniqueBase(dir, name);
    }

    public String name() {
        return name;
    }

    public boolean dryRun() {
        return dryRun;
    }

    public Map<String, String> filter() {
        return filter;
    }

    public Path report(String suffix) {
        return reports.report(suffix);
    }

    /** The input's own header, for the retry file. */
    public void header(List<String> header) {
        header(header, List.of());
    }

    /**
     * The input's own header, and where its carried columns are (bulk.extra-columns): the reports show them,
     * in input order; they are never sent.
     */
    public void header(List<String> header, List<Integer> carried) {
        reports.header(header, carried);
    }

    /**
     * A dry run's row's carried cells, which its plan row shows; null otherwise (results and retry files read
     * them from the input again, so a real run keeps none in memory).
     */
    List<String> carriedCells(List<String> cells) {
        return dryRun && cells != null ? reports.carried(cells) : null;
    }

    public int nextBatchNumber() {
        return batchNumbers.incrementAndGet();
    }

    public synchronized void batchSent() {
        batches++;
        closetaskbulk.ops.Meters.batch();
    }

    private long total;
    private long lastProgress = System.currentTimeMillis();
    private long progressMs = 5000;
    private java.util.function.Consumer<Map<String, Object>> told = summary -> { };

    /** Told the run's summary once it is written, however the run ended (bulk.notify.*). */
    Run told(java.util.function.Consumer<Map<String, Object>> listener) {
        this.told = listener;
        return this;
    }

    /** The summary is written. */
    void summaryWritten(Map<String, Object> summary) {
        told.accept(summary);
    }

    /** bulk.progress-interval: at most one progress line per run this often (ms). */
    Run progressEvery(long ms) {
        this.progressMs = ms;
        return this;
    }

    /** How many rows the run has (counted before it starts), for progress lines. */
    public synchronized void total(long rows) {
        this.total = rows;
        if (rows > 0 && rows < Integer.MAX_VALUE / 4) { // sized once: no doubling (and its garbage) on the way
            ensure((int) rows + 1);
            seen.reserve((int) rows);
        }
    }

    /** Every few seconds: rows done of total, rate and time left. Cheap to call often. */
    public void progress(org.slf4j.Logger log) {
        long now = System.currentTimeMillis();
        long done;
        synchronized (this) {
            if (now - lastProgress < progressMs) {
                return;
            }
            lastProgress = now;
            done = done();
        }
        long rate = rate(done, now);
        Long secondsLeft = secondsLeft(done, rate);
        String left = secondsLeft == null ? "" : ", about " + secondsLeft + " s left";
        log.info("{}: {} of {} rows ({}%), {} rows/s{}", name, String.format(java.util.Locale.ROOT, "%,d", done),
                String.format(java.util.Locale.ROOT, "%,d", total), total == 0 ? 100 : done * 100 / total,
                String.format(java.util.Locale.ROOT, "%,d", rate), left);
    }

    /** A batch was queued for direct:bulk-update (seda:batches). */
    public synchronized void submitted() {
        submitted++;
    }

    /** A queued batch is done, whatever its outcome. */
    public synchronized void completed() {
        completed++;
        notifyAll();
    }

    /** Waits up to {@code ms} for every queued batch; true when none is outstanding. */
    public synchronized boolean awaitBatches(long ms) throws InterruptedException {
        return awaitCompleted(() -> submitted, ms);
    }

    /** A worker took a queued batch: from now on it may be sending. */
    public synchronized void taken() {
        taken++;
    }

    /** After a halt no queued batch starts a call: waits only for the batches already taken. */
    public synchronized boolean awaitTaken(long ms) throws InterruptedException {
        return awaitCompleted(() -> taken, ms);
    }

    /** Under the lock: waits up to {@code ms} until {@code completed} reaches the count. */
    private boolean awaitCompleted(java.util.function.IntSupplier count, long ms) throws InterruptedException {
        long end = System.currentTimeMillis() + ms;
        while (completed < count.getAsInt() && System.currentTimeMillis() < end) {
            wait(Math.max(1, end - System.currentTimeMillis()));
        }
        return completed >= count.getAsInt();
    }

    /** Rows with a result so far. */
    private synchronized long done() {
        return counts.values().stream().mapToLong(Integer::longValue).sum();
    }

    /** Rows per second since the start. */
    private long rate(long done, long now) {
        return (long) (done / Math.max(0.001, (now - started.toEpochMilli()) / 1000.0));
    }

    /** Seconds left at this rate, or null when unknown (no rate yet, or nothing left). */
    private Long secondsLeft(long done, long rate) {
        return total > done && rate > 0 ? (total - done) / rate + 1 : null;
    }

    /** Where a run under way stands, for the console: rows done of total, counts, requests, time left. */
    public synchronized Map<String, Object> live() {
        Map<String, Object> m = new LinkedHashMap<>();
        long done = done();
        long now = System.currentTimeMillis();
        long ms = Math.max(1, now - started.toEpochMilli());
        m.put("name", reports.base());
        m.put("source", source);
        m.put("dry_run", dryRun);
        m.put("start", started.toString());
        m.put("duration_ms", ms);
        m.put("rows", done);
        m.put("total", total);
        Map<String, Integer> c = new LinkedHashMap<>();
        counts.forEach((k, v) -> c.put(k.name(), v));
        m.put("counts", c);
        m.put("requests", requests.values().stream().mapToInt(Integer::intValue).sum());
        m.put("eta_s", secondsLeft(done, rate(done, now)));
        return m;
    }

    /** live(), with the run's chart: the console's page of a run under way. */
    public synchronized Map<String, Object> liveWithSeries() {
        Map<String, Object> m = live();
        m.put("series", series());
        return m;
    }

    private RuntimeException writeFailure;

    /** A batch's journal line or undo line could not be written: the run must not finish as if it had. */
    public synchronized void writeFailed(Throwable e) {
        if (writeFailure == null) {
            writeFailure = e instanceof RuntimeException r ? r : new ReportWriteException("the run's state", (Exception) e);
        }
    }

    public synchronized RuntimeException writeFailure() {
        return writeFailure;
    }

    private String approvedBy;
    private String approvedAt;

    /** A plan's approval from the console: who (the basic-auth user, or "local") and when. */
    public synchronized Run approved(String by, String at) {
        this.approvedBy = by;
        this.approvedAt = at;
        return this;
    }

    synchronized String approvedBy() {
        return approvedBy;
    }

    synchronized String approvedAt() {
        return approvedAt;
    }

    /** A call to Close of this run, by endpoint group; a resend also counts as a retry. */
    public synchronized void counted(String group, boolean retry) {
        requests.merge(group, 1, Integer::sum);
        if (retry) {
            retries++;
        }
        sample(false);
    }

    /** Close answered a call of this run: its status and RateLimit remaining (null: not reported), for the chart. */
    public synchronized void answered(int status, Double remaining) {
        series.answered(status, remaining == null ? -1 : remaining.longValue());
        sample(false);
    }

    /** Under the lock: a sample of the run's chart when one is due. */
    private void sample(boolean force) {
        series.sample(System.currentTimeMillis(), done(), requests.values().stream().mapToInt(Integer::intValue).sum(),
                retries, force);
    }

    /** The run over time (rows done, requests, retries, 429s, RateLimit remaining), a sample now included. */
    synchronized Map<String, Object> series() {
        sample(true);
        return series.toMap();
    }

    /** Where NOT_FOUND messages say what filtered a task out. */
    public String filterText() {
        if (filter.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        filter.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append('=').append(v));
        return sb.toString();
    }

    public synchronized void result(int line, Status s, int httpStatus, String msg) {
        ensure(line);
        if (status[line] != 0) {
            return; // a row keeps its first result
        }
        status[line] = (byte) (s.ordinal() + 1);
        http[line] = (short) httpStatus;
        message[line] = msg == null ? -1 : messageIndex.computeIfAbsent(msg, m -> {
            messages.add(m);
            return messages.size() - 1;
        });
        counts.merge(s, 1, Integer::sum);
        closetaskbulk.ops.Meters.row(s.name());
    }

    /** DUPLICATE keeps the first line's number instead of a message, to stay small. */
    public synchronized void duplicate(int line, int firstLine) {
        ensure(line);
        status[line] = (byte) (Status.DUPLICATE.ordinal() + 1);
        message[line] = firstLine;
        counts.merge(Status.DUPLICATE, 1, Integer::sum);
        closetaskbulk.ops.Meters.row(Status.DUPLICATE.name());
    }

    public synchronized Status status(int line) {
        return line < status.length && status[line] != 0 ? Status.values()[status[line] - 1] : null;
    }

    public synchronized Map<Status, Integer> counts() {
        return new EnumMap<>(counts);
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

    private void ensure(int line) {
        if (line >= status.length) {
            int n = Math.max(line + 1, status.length * 2);
            status = Arrays.copyOf(status, n);
            http = Arrays.copyOf(http, n);
            message = Arrays.copyOf(message, n);
        }
    }

    /** The message of a line's result, for the results file. */
    synchronized String message(int line) {
        Status st = status(line);
        if (st == Status.DUPLICATE) {
            return "same id as line " + message[line];
        }
        return message[line] < 0 ? "" : messages.get(message[line]);
    }

    synchronized int http(int line) {
        return line < http.length ? http[line] : 0;
    }

    /** The summary's figures: counts by status, batches, requests by group, retries, start. */
    synchronized Map<String, Object> figures() {
        Map<String, Object> s = new LinkedHashMap<>();
        Map<String, Integer> c = new LinkedHashMap<>();
        int n = 0;
        for (Status st : Status.values()) {
            int k = counts.getOrDefault(st, 0);
            c.put(st.name(), k);
            n += k;
        }
        s.put("rows", n);
        s.put("counts", c);
        s.put("batches", batches);
        Map<String, Integer> req = new LinkedHashMap<>(requests);
        req.put("total", requests.values().stream().mapToInt(Integer::intValue).sum());
        s.put("requests", req);
        s.put("retries", retries);
        return s;
    }

    String source() {
        return source;
    }

    /** What a run came from, by its name and source: a file, a plan, a sweep or a Kamelet message. */
    public static String kind(String name, String source) {
        if (source.startsWith("sweep")) {
            return "sweep";
        }
        if (source.startsWith("kamelet")) {
            return "kamelet";
        }
        return name.toLowerCase(java.util.Locale.ROOT).endsWith(".plan") ? "plan" : "file";
    }

    Instant started() {
        return started;
    }

    List<String> updateColumns() {
        return updateColumns;
    }

    /**
     * An UPDATED row's values from before the write, for the undo file. A field that was empty before cannot
     * be restored by it (an empty cell means "leave alone"): it is named in the summary instead.
     */
    public synchronized void undo(String id, Update update, Map<String, String> before) {
        reports.undo(id, update, before);
    }

    /** A dry run's row that would be written, for the plan file: what it holds now, what it would hold. */
    public synchronized void planned(int line, String id, Update update, Map<String, String> before,
                                     List<String> carried) {
        reports.plan(line, id, update, before, carried);
    }

    /**
     * Writes results, retry and summary, walking the input again ({@link #rows(RowSource)}); a line that has no
     * result (none should) is reported FAILED rather than lost.
     */
    public synchronized Map<String, Object> finish() throws IOException {
        Map<String, Object> summary = reports.finish(); // if this fails, the run is stopped (and ends) instead
        ended = true;
        onEnd.run();
        return summary;
    }

    /** The run was halted: the input stays where it is; the summary says why and what was already done. */
    public synchronized Map<String, Object> abort(String reason) throws IOException {
        return close("halted", reason);
    }

    /** The whole input was refused before any request. */
    public synchronized Map<String, Object> reject(String reason) throws IOException {
        return close("rejected", reason);
    }

    /** Ends the run with only a summary: {@code outcome} and why. */
    public synchronized Map<String, Object> close(String outcome, String reason) throws IOException {
        ended = true;
        try {
            return reports.end(outcome, reason);
        } finally {
            onEnd.run();
        }
    }
}
