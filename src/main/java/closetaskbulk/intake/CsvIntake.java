package closetaskbulk.intake;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import closetaskbulk.close.CloseApi;
import closetaskbulk.run.Journal;
import closetaskbulk.run.Row;
import closetaskbulk.run.Run;
import closetaskbulk.run.RunState;
import closetaskbulk.run.Runs;

/**
 * The CSV adapter (route csv-intake): checks a dropped file (UTF-8, header, seen before?), opens its run,
 * turns its records into rows for route run, and afterwards chooses where the file moves.
 */
public class CsvIntake {

    /** Exchange properties of the intake route. */
    public static final String STATE = "bulkIntake";
    public static final String MOVE_TO = "bulkMoveTo";
    /** Exchange property: this file is previewed (a dry run that writes a plan), whatever bulk.dry-run says. */
    public static final String PREVIEW = "bulkPreview";
    /** Exchange property: the source is plan-intake (the file is a plan). */
    public static final String PLAN = "bulkPlan";

    private static final Logger LOG = LoggerFactory.getLogger(CsvIntake.class);
    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    /** One file being processed: a CSV of changes, or a plan (a dry run's .plan.csv) to apply. */
    static final class State {
        final Path file;
        final Run run;
        final char delimiter;
        final int columns;
        final int idCol;
        final int[] updateCols = {-1, -1, -1}; // assigned_to, date, is_complete (a plan's _after columns)
        final int[] beforeCols = {-1, -1, -1}; // a plan's _before columns
        final boolean plan;
        String sha;
        long size;
        long modified;

        State(Path file, Run run, char delimiter, List<String> header, boolean plan) {
            this.file = file;
            this.run = run;
            this.delimiter = delimiter;
            this.columns = header.size();
            this.plan = plan;
            int id = -1;
            for (int i = 0; i < header.size(); i++) {
                String h = header.get(i);
                if (h.equals("id") || h.equals("task_id")) {
                    id = i;
                } else if (plan && h.endsWith("_after")) {
                    updateCols[CloseApi.UPDATE_FIELDS.indexOf(h.substring(0, h.length() - 6))] = i;
                } else if (plan && h.endsWith("_before")) {
                    beforeCols[CloseApi.UPDATE_FIELDS.indexOf(h.substring(0, h.length() - 7))] = i;
                } else if (CloseApi.UPDATE_FIELDS.contains(h)) {
                    updateCols[CloseApi.UPDATE_FIELDS.indexOf(h)] = i;
                }
            }
            this.idCol = id;
        }
    }

    private final Path reportsDir;
    private final Path doneDir;
    private final Path failedDir;
    private final boolean dryRun;
    private final int batchSize;
    private final int maxOpenBatches;
    private final int listLimit;
    private final boolean readBeforeWrite;
    private final Map<String, String> filter;
    private final RunState runState;
    private Path stateDir;
    private ProcessedFiles processed;
    private Journal.Store journals;
    private boolean repeat;
    private String fingerprint = "";

    public CsvIntake(Path reportsDir, Path doneDir, Path failedDir, boolean dryRun, int batchSize,
                     int maxOpenBatches, int listLimit, boolean readBeforeWrite, Map<String, String> filter,
                     RunState runState) {
        this.reportsDir = reportsDir;
        this.doneDir = doneDir;
        this.failedDir = failedDir;
        this.dryRun = dryRun;
        this.batchSize = batchSize;
        this.maxOpenBatches = maxOpenBatches;
        this.listLimit = listLimit;
        this.readBeforeWrite = readBeforeWrite;
        this.filter = Map.copyOf(filter);
        this.runState = runState;
    }

    /**
     * Crash recovery and the re-drop guard: run journals, processed contents (SHA-256) in Camel's idempotent
     * repository, details of each first run under stateDir; {@code repeat} processes a known content again.
     */
    public CsvIntake durable(Path stateDir, org.apache.camel.spi.IdempotentRepository processed, Journal.Store journals,
                             boolean repeat) {
        this.stateDir = stateDir;
        this.processed = new ProcessedFiles(stateDir, processed);
        this.journals = journals;
        this.repeat = repeat;
        this.fingerprint = "batch=" + batchSize + ";open=" + maxOpenBatches + ";read=" + readBeforeWrite
                + ";filter=" + new java.util.TreeMap<>(filter);
        return this;
    }

    /**
     * Step check-file: the whole file is UTF-8 and valid CSV, its header one we know (a CSV of changes, or a
     * plan to apply exactly when the source says so), its content new (a plan: not older than
     * bulk.plan.max-age); opens its run.
     */
    public void open(Exchange ex, @ExchangeProperty(PLAN) boolean plan) throws IOException {
        Path file = ex.getIn().getBody(java.io.File.class).toPath();
        String name = baseName(file);
        ex.setProperty(STATE, null);
        CsvFile.Shape shape = CsvFile.check(file);
        String sha = shape.sha();
        if (processed != null && !repeat && processed.contains(sha)) {
            throw new AlreadyProcessedException(processed.firstRun(sha));
        }
        List<String> raw = shape.header().stream().map(h -> CsvFile.stripBom(h).trim()).toList();
        List<String> header = plan ? CsvFile.checkPlanHeader(raw) : CsvFile.checkHeader(raw);
        if (plan) {
            checkPlanAge(file, header, shape.first());
        }
        List<String> updateCols = CloseApi.UPDATE_FIELDS.stream()
                .filter(f -> header.contains(plan ? f + "_after" : f)).toList();
        // an approved plan is applied, whatever bulk.dry-run says; a file in bulk.preview is previewed
        boolean dry = !plan && (dryRun || ex.getProperty(PREVIEW, false, Boolean.class));
        Journal journal = dry || stateDir == null ? null
                : Journal.open(journals, sha, fingerprint, Run.uniqueBase(reportsDir, name));
        Run run = new Run(name, reportsDir, file.toString(), dry, filter, updateCols,
                journal == null ? null : journal.base()).journal(journal).readBeforeWrite(readBeforeWrite || plan)
                .batching(batchSize, maxOpenBatches, listLimit);
        run.header(raw);
        run.total(shape.rows());
        if (plan) {
            Map<String, String> approval = Approvals.read(file);
            if (approval != null) {
                run.approved(approval.get("by"), approval.get("at"));
            }
        }
        State s = new State(file, run, shape.delimiter(), header, plan);
        s.sha = sha;
        s.size = Files.size(file);
        s.modified = Files.getLastModifiedTime(file).toMillis();
        run.rows(rows(s));
        ex.setProperty(STATE, s);
        ex.setProperty(Runs.RUN, run);
        // the body stays the file: to-rows streams it (an InputStream body would be stream-cached whole in memory)
        LOG.info("{}: {} ({} rows; columns {}, delimiter '{}'{})", file.getFileName(), plan ? "applying the plan"
                : "reading", shape.rows(), header, shape.delimiter(), dry ? ", DRY RUN" : "");
    }

    /** A plan older than bulk.plan.max-age (by its planned_at, or its file's time, whichever is older) is refused. */
    private void checkPlanAge(Path file, List<String> header, List<String> first) throws IOException {
        java.time.Instant made = Files.getLastModifiedTime(file).toInstant();
        int at = header.indexOf("planned_at");
        if (at >= 0 && at < first.size()) {
            try {
                java.time.Instant planned = java.time.Instant.parse(first.get(at).trim());
                made = planned.isBefore(made) ? planned : made;
            } catch (java.time.format.DateTimeParseException e) {
                throw new FileRejectedException("the plan's planned_at '" + first.get(at) + "' is not a time: "
                        + "make a new plan with a dry run");
            }
        }
        java.time.Duration age = java.time.Duration.between(made, java.time.Instant.now());
        if (age.compareTo(planMaxAge) > 0) {
            throw new FileRejectedException("the plan was made at " + made + " (" + age.toMinutes() / 60 + " h "
                    + age.toMinutes() % 60 + " min ago), longer ago than bulk.plan.max-age=" + planMaxAgeText
                    + ": Close may have changed since; make a new plan with a dry run");
        }
    }

    private java.time.Duration planMaxAge = java.time.Duration.ofHours(24);
    private String planMaxAgeText = "24h";

    /** bulk.plan.max-age: a plan older than this is refused whole. */
    public CsvIntake planMaxAge(java.time.Duration age, String asWritten) {
        this.planMaxAge = age;
        this.planMaxAgeText = asWritten;
        return this;
    }

    /**
     * Step to-rows: the file's records become the run's rows, read lazily as the run's split asks for them (the
     * second and last read of the file for the run; the check pass was the first). The split closes the reader.
     */
    public Iterator<Row> rows(Exchange ex) throws IOException {
        State s = ex.getProperty(STATE, State.class);
        Reader r = CsvFile.utf8Reader(s.file);
        Iterator<CSVRecord> records = CsvFile.format(s.delimiter).parse(r).iterator();
        if (records.hasNext()) {
            records.next(); // the header
        }
        return new Rows(records, r, s);
    }

    /** Records as rows, numbered as in the results (the header is line 1); closeable, so the split lets the file go. */
    private static final class Rows implements Iterator<Row>, java.io.Closeable {
        private final Iterator<CSVRecord> records;
        private final Reader reader;
        private final State s;
        private int line = 1;
        private boolean closed;

        Rows(Iterator<CSVRecord> records, Reader reader, State s) {
            this.records = records;
            this.reader = reader;
            this.s = s;
        }

        @Override
        public boolean hasNext() {
            return !closed && records.hasNext(); // the split asks once more after closing
        }

        @Override
        public Row next() {
            line++;
            return row(s, line, records.next().toList());
        }

        @Override
        public void close() throws IOException {
            closed = true;
            reader.close();
        }
    }

    private static Row row(State s, int line, List<String> cells) {
        String id = s.idCol < cells.size() ? cells.get(s.idCol).trim() : "";
        Map<String, String> values = new java.util.HashMap<>(4);
        Map<String, String> expected = s.plan ? new java.util.HashMap<>(4) : null;
        for (int i = 0; i < 3; i++) {
            String v = cell(cells, s.updateCols[i]);
            if (v != null) {
                String field = CloseApi.UPDATE_FIELDS.get(i);
                values.put(field, v);
                if (expected != null) {
                    String before = cell(cells, s.beforeCols[i]);
                    expected.put(field, before == null ? "" : before);
                }
            }
        }
        return new Row(line, id, values, cells, null, expected);
    }

    /** Step processed: the content is registered as processed; the file moves to bulk.done. */
    public void done(Exchange ex) throws IOException {
        State s = ex.getProperty(STATE, State.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> summary = ex.getIn().getBody(Map.class);
        Path target = uniqueTarget(doneDir, s.file.getFileName().toString());
        boolean failedRows = s.run.counts().getOrDefault(Run.Status.FAILED, 0) > 0;
        if (processed != null && !s.run.dryRun() && !failedRows) { // with FAILED rows it may be dropped again
            processed.remember(s.sha, s.file.getFileName().toString(), summary.get("end"), target,
                    s.run.report(".summary.json"));
        }
        if (s.run.journal() != null) {
            s.run.journal().finish();
        }
        ex.setProperty(MOVE_TO, target.toAbsolutePath().toString());
        Approvals.forget(s.file);
        LOG.info("{}: moved to {}", s.file.getFileName(), target);
    }

    /**
     * Step file-refused: the file was refused whole, before any request. Content processed before: a summary
     * that says so, and the file moves to bulk.done. Anything else: a summary with the reason, and the file
     * moves to bulk.failed.
     */
    public void refused(Exchange ex) throws IOException {
        Throwable e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (e instanceof AlreadyProcessedException) {
            alreadyProcessed(ex, e);
        } else {
            rejected(ex, e);
        }
    }

    private void alreadyProcessed(Exchange ex, Throwable e) throws IOException {
        Path file = ex.getIn().getBody(java.io.File.class).toPath();
        new Run(baseName(file), reportsDir, file.toString(), dryRun, filter, List.of()).close("already-processed",
                e.getMessage());
        runState.rowsNotOk();
        Path target = uniqueTarget(doneDir, file.getFileName().toString());
        ex.setProperty(MOVE_TO, target.toAbsolutePath().toString());
        LOG.warn("{}: {}. Moved to {}", file.getFileName(), e.getMessage(), target);
    }

    private void rejected(Exchange ex, Throwable e) throws IOException {
        Path file = ex.getIn().getBody(java.io.File.class).toPath();
        String reason = e.getMessage();
        Run run = new Run(baseName(file), reportsDir, file.toString(), dryRun, filter, List.of());
        run.reject(reason);
        runState.rowsNotOk();
        Path target = uniqueTarget(failedDir, file.getFileName().toString());
        ex.setProperty(MOVE_TO, target.toAbsolutePath().toString());
        Approvals.forget(file);
        LOG.error("{}: rejected, nothing sent: {}. Moved to {}; see {}", file.getFileName(), reason, target,
                run.report(".summary.json"));
    }

    /**
     * Something stopped the file's run (runs.stopped has written its summary). After a halt, a write failure or
     * a change of the file it stays in the inbox (the exception is thrown again, so the file consumer rolls
     * back). Anything else is an internal error: the file moves to bulk.failed.
     */
    public void stopped(Exchange ex) throws Exception {
        Exception e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (runState.isHalted() || e instanceof FileChangedException || Runs.isWriteFailure(e)) {
            throw e;
        }
        State s = ex.getProperty(STATE, State.class);
        Path file = s != null ? s.file : Path.of(ex.getIn().getHeader(Exchange.FILE_PATH, String.class));
        if (s == null) {
            runState.internalError(file.getFileName() + ": " + e);
            LOG.error("{}: stopped by an internal error", file.getFileName(), e);
            new Run(baseName(file), reportsDir, file.toString(), dryRun, filter, List.of()).abort("internal error: " + e);
        }
        Path target = uniqueTarget(failedDir, file.getFileName().toString());
        ex.setProperty(MOVE_TO, target.toAbsolutePath().toString());
    }

    /** The file walked again for the reports; refused if it changed since it was read. */
    private static Run.RowSource rows(State s) {
        return visitor -> {
            if (Files.size(s.file) != s.size || Files.getLastModifiedTime(s.file).toMillis() != s.modified) {
                throw new FileChangedException(s.file.getFileName() + " was replaced or changed while it was being "
                        + "processed: its results would not match its rows. The new content stays in the inbox and is "
                        + "processed as a new file; what was sent before is in this run's undo file");
            }
            try (Reader r = CsvFile.utf8Reader(s.file); CSVParser p = CsvFile.format(s.delimiter).parse(r)) {
                Iterator<CSVRecord> it = p.iterator();
                if (it.hasNext()) {
                    it.next(); // header
                }
                int line = 1;
                while (it.hasNext()) {
                    CSVRecord rec = it.next();
                    line++;
                    List<String> cells = rec.toList();
                    String id = s.idCol < cells.size() ? cells.get(s.idCol).trim() : "";
                    visitor.row(line, id, cells);
                }
            }
        };
    }

    private static String cell(List<String> cells, int col) {
        if (col < 0) {
            return null;
        }
        String v = cells.get(col).trim();
        return v.isEmpty() ? null : v;
    }

    static String baseName(Path file) {
        String n = file.getFileName().toString();
        return n.toLowerCase(Locale.ROOT).endsWith(".csv") ? n.substring(0, n.length() - 4) : n;
    }

    /** dir/name, or dir/name-yyyyMMdd-HHmmss.csv when taken: nothing is overwritten. */
    static Path uniqueTarget(Path dir, String fileName) throws IOException {
        Files.createDirectories(dir);
        Path p = dir.resolve(fileName);
        String stem = fileName.toLowerCase(Locale.ROOT).endsWith(".csv") ? fileName.substring(0, fileName.length() - 4) : fileName;
        for (int n = 1; Files.exists(p); n++) {
            p = dir.resolve(stem + "-" + LocalDateTime.now().format(SUFFIX) + (n > 1 ? "-" + n : "") + ".csv");
        }
        return p;
    }

}
