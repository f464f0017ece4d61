package closetaskbulk.run;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One run (a file, a plan, a sweep, a Kamelet message), opened by {@link RunRules}: what it is (name, source, dry
 * run, filter, update columns, key, time zone, approval) and its parts, each of one job: {@link RunResults},
 * {@link RunCalls}, {@link BatchWaits}, {@link RunUsers}, the duplicate index, the progress line and the reports.
 * Results are written in input order at the end by walking the input again ({@link RowSource}); undo rows are
 * written as batches are confirmed. It ends once.
 */
public class Run {

    private final String name;
    private final String source;
    private final boolean dryRun;
    private final Map<String, String> filter;
    private final List<String> updateColumns;
    private final Instant started = Instant.now();
    private final RunReports reports;
    private final RunResults results = new RunResults();
    private final RunCalls calls = new RunCalls(started.toEpochMilli(), results::done);
    private final BatchWaits waits = new BatchWaits();
    private final RunUsers users = new RunUsers();
    private final IdIndex ids = new IdIndex();
    private final AtomicInteger batchNumbers = new AtomicInteger();
    private RunProgress progress = new RunProgress(started.toEpochMilli(), 5000);
    private Consumer<Map<String, Object>> told = summary -> { };
    private Runnable onEnd = () -> { };
    private Journal journal;
    private String authorization;
    private String tzOffset;
    private boolean readBeforeWrite = true;
    private RowSource rows;
    private String approvedBy;
    private String approvedAt;
    private RuntimeException writeFailure;
    private boolean ended;

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
        this.filter = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(filter)); // in its order: a sweep lists with it
        this.updateColumns = List.copyOf(updateColumns);
        this.reports = new RunReports(reportsDir, base != null ? base : RunReports.uniqueBase(reportsDir, name),
                this.updateColumns, dryRun);
    }

    /** Each row's result, and the counts by status. */
    public RunResults results() {
        return results;
    }

    /** The run's calls to Close (requests, retries, batches, the chart). */
    public RunCalls calls() {
        return calls;
    }

    /** The batches queued and done, which the run's end waits for. */
    public BatchWaits waits() {
        return waits;
    }

    /** The organization's users, listed once per run for assignees given by e-mail. */
    public RunUsers users() {
        return users;
    }

    /** The first line of every id seen, for DUPLICATE. */
    IdIndex ids() {
        return ids;
    }

    /** x-tz-offset for every read and write of this run (a sweep's time zone), or null. */
    Run tzOffset(String hours) {
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

    public int nextBatchNumber() {
        return batchNumbers.incrementAndGet();
    }

    /** Called once the run has ended, whichever way (--sweep ends the process then). */
    Run onEnd(Runnable r) {
        this.onEnd = r;
        return this;
    }

    /** Told the run's summary once it is written, however the run ended (bulk.notify.*). */
    Run told(Consumer<Map<String, Object>> listener) {
        this.told = listener;
        return this;
    }

    /** bulk.progress-interval: at most one progress line per run this often (ms). */
    Run progressEvery(long ms) {
        this.progress = new RunProgress(started.toEpochMilli(), ms);
        return this;
    }

    /** True once the run's summary is written (finished, halted, rejected): it ends once. */
    public synchronized boolean ended() {
        return ended;
    }

    /** An Authorization header of this run's own (the Kamelet's apiKey); never logged or reported. */
    Run authorization(String header) {
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

    /** A plan's approval from the console: who (the basic-auth user, or "local") and when. */
    synchronized Run approved(String by, String at) {
        this.approvedBy = by;
        this.approvedAt = at;
        return this;
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

    /** Where NOT_FOUND messages say what filtered a task out. */
    public String filterText() {
        StringBuilder sb = new StringBuilder();
        filter.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append('=').append(v));
        return sb.toString();
    }

    public Path report(String suffix) {
        return reports.report(suffix);
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

    /** How many rows the run has (counted before it starts), for progress lines; sizes the results once. */
    public void total(long rows) {
        progress.total(rows);
        results.reserve(rows);
        if (rows > 0 && rows < Integer.MAX_VALUE / 4) {
            ids.reserve((int) rows);
        }
    }

    /** Every few seconds: rows done of total, rate and time left. Cheap to call often. */
    public void progress(org.slf4j.Logger log) {
        progress.log(log, name, results.done());
    }

    /** Where a run under way stands, for the console: rows done of total, counts, requests, time left. */
    public Map<String, Object> live() {
        Map<String, Object> m = new LinkedHashMap<>();
        long done = results.done();
        long now = System.currentTimeMillis();
        m.put("name", reports.base());
        m.put("source", source);
        m.put("dry_run", dryRun);
        m.put("start", started.toString());
        m.put("duration_ms", Math.max(1, now - started.toEpochMilli()));
        m.put("rows", done);
        m.put("total", progress.total());
        Map<String, Integer> c = new LinkedHashMap<>();
        results.counts().forEach((k, v) -> c.put(k.name(), v));
        m.put("counts", c);
        m.put("requests", calls.total());
        m.put("eta_s", progress.secondsLeft(done, now));
        return m;
    }

    /** live(), with the run's chart: the console's page of a run under way. */
    public Map<String, Object> liveWithSeries() {
        Map<String, Object> m = live();
        m.put("series", calls.series());
        return m;
    }

    /** A batch's journal line or undo line could not be written: the run must not finish as if it had. */
    public synchronized void writeFailed(Throwable e) {
        if (writeFailure == null) {
            writeFailure = e instanceof RuntimeException r ? r : new ReportWriteException("the run's state", (Exception) e);
        }
    }

    public synchronized RuntimeException writeFailure() {
        return writeFailure;
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
        Map<String, Object> summary = reports.finish(rows, results, this::facts); // if this fails, the run is stopped
        ended = true;
        told.accept(summary);
        onEnd.run();
        return summary;
    }

    /** The run was halted: the input stays where it is; the summary says why and what was already done. */
    public synchronized Map<String, Object> abort(String reason) throws IOException {
        return close("halted", reason);
    }

    /** Ends the run with only a summary: {@code outcome} and why. */
    public synchronized Map<String, Object> close(String outcome, String reason) throws IOException {
        ended = true;
        try {
            Map<String, Object> summary = reports.end(outcome, reason, results, this::facts);
            told.accept(summary);
            return summary;
        } finally {
            onEnd.run();
        }
    }

    /** What the summary says of the run besides its outcome and reports, in the summary's order. */
    private synchronized Map<String, Object> facts() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", name);
        s.put("kind", kind(name, source));
        s.put("source", source);
        s.put("dry_run", dryRun);
        if (approvedBy != null) {
            s.put("approved_by", approvedBy);
            s.put("approved_at", approvedAt);
        }
        s.put("filter", filter);
        Map<String, Integer> counts = results.allCounts();
        s.put("rows", counts.values().stream().mapToInt(Integer::intValue).sum());
        s.put("counts", counts);
        calls.figures(s);
        s.put("series", calls.series());
        s.put("start", started.toString());
        return s;
    }
}
