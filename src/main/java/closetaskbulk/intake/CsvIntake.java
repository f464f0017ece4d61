package closetaskbulk.intake;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
import org.slf4j.event.Level;

import closetaskbulk.close.CloseApi;
import closetaskbulk.run.Journal;
import closetaskbulk.run.PlanSeals;
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
    /** Exchange property: the file was replaced while it was read. */
    public static final String CHANGED = "bulkChanged";
    /** Exchange property: the file stays where it is after its run (a dry run in the inbox, --apply's plan). */
    public static final String KEEP = "bulkKeep";

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
        java.nio.channels.FileChannel channel; // the file as opened for the check pass, until the rows take it
        boolean finished; // its reports are written

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
    private final HeldFiles held;
    private Path stateDir;
    private ProcessedFiles processed;
    private Journal.Store journals;
    private boolean repeat;
    private String fingerprint = "";

    public CsvIntake(Path reportsDir, Path doneDir, Path failedDir, boolean dryRun, int batchSize,
                     int maxOpenBatches, int listLimit, boolean readBeforeWrite, Map<String, String> filter,
                     RunState runState, HeldFiles held) {
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
        this.held = held;
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
        if (Files.isSymbolicLink(file)) { // one that replaced the file after the folder was listed: never followed
            throw new FileRejectedException("it is a symbolic link, and links are never followed: drop the file itself");
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) { // a pipe would block the intake for good
            throw new FileRejectedException("it is not a regular file (a pipe or a device): drop the file itself");
        }
        // one descriptor for the check pass and the rows: a file renamed over this one meanwhile (a plan swapped for
        // an unsealed one after its seal was checked) is never what is read
        java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        try {
            open(ex, plan, file, name, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private void open(Exchange ex, boolean plan, Path file, String name, java.nio.channels.FileChannel channel)
            throws IOException {
        var attributes = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        CsvFile.Shape shape = CsvFile.check(CsvFile.unclosed(java.nio.channels.Channels.newInputStream(channel)));
        channel.position(0);
        String sha = shape.sha();
        // registered with its journal still there: that run stopped between the register and the move, not a re-drop
        if (processed != null && !repeat && processed.contains(sha) && !journals.log(sha).unfinished()) {
            throw new AlreadyProcessedException(processed.firstRun(sha));
        }
        List<String> raw = shape.header().stream().map(h -> CsvFile.stripBom(h).trim()).toList();
        List<String> header = plan ? CsvFile.checkPlanHeader(raw, extraColumns) : CsvFile.checkHeader(raw, extraColumns);
        if (plan) { // sealed (as its dry run wrote it), then young enough
            if (seals == null || !seals.sealed(sha)) {
                throw new FileRejectedException(PlanSeals.refusal(sha));
            }
            planAge.check(PlanAge.plannedAt(header, shape.first()));
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
        run.header(raw, ExtraColumns.positions(header, plan ? CsvFile::isKnownInPlan : CsvFile::isKnown));
        run.total(shape.rows());
        if (plan) {
            Map<String, String> approval = Approvals.read(file);
            if (approval != null) {
                run.approved(approval.get("by"), approval.get("at"));
            }
        }
        State s = new State(file, run, shape.delimiter(), header, plan);
        s.sha = sha;
        s.size = attributes.size(); // as before the check pass: a change since is seen when the reports are written
        s.modified = attributes.lastModifiedTime().toMillis();
        s.channel = channel;
        run.rows(rows(s));
        ex.setProperty(STATE, s);
        ex.setProperty(Runs.RUN, run);
        // the body stays the file: to-rows streams it (an InputStream body would be stream-cached whole in memory)
        LOG.info("{}: {} ({} rows; columns {}, delimiter '{}'{})", file.getFileName(), plan ? "applying the plan"
                : "reading", shape.rows(), header, shape.delimiter(), dry ? ", DRY RUN" : "");
    }

    private PlanAge planAge = new PlanAge(java.time.Duration.ofHours(24), "24h");
    private PlanSeals seals;
    private ExtraColumns extraColumns = new ExtraColumns(true);

    /** bulk.extra-columns: columns besides the known ones are carried to the reports (true), or refuse the file. */
    public CsvIntake extraColumns(boolean carry) {
        this.extraColumns = new ExtraColumns(carry);
        return this;
    }

    /** bulk.plan.max-age: a plan older than this is refused whole. */
    public CsvIntake planAge(PlanAge age) {
        this.planAge = age;
        return this;
    }

    /** The plans dry runs wrote: only those are applied. */
    public CsvIntake seals(PlanSeals seals) {
        this.seals = seals;
        return this;
    }

    /**
     * Step to-rows: the file's records become the run's rows, read lazily as the run's split asks for them (the
     * second and last read of the file for the run; the check pass was the first). The split closes the reader.
     */
    public Iterator<Row> rows(Exchange ex) throws IOException {
        State s = ex.getProperty(STATE, State.class);
        Reader r = s.channel != null ? CsvFile.utf8Reader(java.nio.channels.Channels.newInputStream(s.channel))
                : CsvFile.utf8Reader(s.file);
        s.channel = null; // the rows' reader closes it
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

    /**
     * Step file-processed: the content is registered as processed (unless rows FAILED: it may be dropped again);
     * the file is to move to bulk.done (step file-moved). Registered before the move: a crash in between leaves the
     * run's journal, and a content registered with its journal still there is that run, unfinished, not a re-drop.
     */
    public void done(Exchange ex) throws IOException {
        State s = ex.getProperty(STATE, State.class);
        s.finished = true;
        @SuppressWarnings("unchecked")
        Map<String, Object> summary = ex.getIn().getBody(Map.class);
        Path target = freeName(doneDir, s.file.getFileName().toString());
        boolean failedRows = s.run.counts().getOrDefault(Run.Status.FAILED, 0) > 0;
        if (processed != null && !s.run.dryRun() && !failedRows) {
            processed.remember(s.sha, s.file.getFileName().toString(), summary.get("end"), target,
                    s.run.report(".summary.json"));
        }
        ex.setProperty(MOVE_TO, new Move(target, Level.INFO, null));
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
        Path target = freeName(doneDir, file.getFileName().toString());
        ex.setProperty(MOVE_TO, new Move(target, Level.WARN, file.getFileName() + ": " + e.getMessage()));
    }

    private void rejected(Exchange ex, Throwable e) throws IOException {
        Path file = ex.getIn().getBody(java.io.File.class).toPath();
        String reason = e.getMessage();
        Run run = new Run(baseName(file), reportsDir, file.toString(), dryRun, filter, List.of());
        run.reject(reason);
        runState.rowsNotOk();
        Path target = freeName(failedDir, file.getFileName().toString());
        ex.setProperty(MOVE_TO, new Move(target, Level.ERROR, file.getFileName() + ": rejected, nothing sent: " + reason
                + "; see " + run.report(".summary.json")));
    }

    /**
     * Something stopped the file's run (runs.stopped has written its summary, and said why unless its run had
     * ended). The file stays where it is, held until it changes: after a halt, a change of the file (its new
     * content is taken as a new file), a state or report that cannot be written, or an internal error (an
     * OutOfMemoryError included: the input is never moved for a fault of the bundle).
     */
    public void stopped(Exchange ex) {
        Throwable e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        State s = ex.getProperty(STATE, State.class);
        Path file = s != null ? s.file : Path.of(ex.getIn().getHeader(Exchange.FILE_PATH, String.class));
        boolean told = s != null && !s.finished; // runs.stopped said it (the run had not ended)
        String why;
        if (runState.isHalted()) {
            why = "halted";
        } else if (e instanceof FileChangedException) {
            why = "changed while it was read";
            ex.setProperty(CHANGED, true); // its new content is taken at the next poll (--once too)
        } else if (Runs.isWriteFailure(e)) {
            why = "cannot write its reports or state: " + rootMessage(e);
            if (!told) {
                runState.fault();
                LOG.error("{}: {}. It stays in {} and is not read again until it changes or the bundle restarts; "
                        + "free space or fix the folder, then touch the file: batches Close confirmed are not sent "
                        + "again", file.getFileName(), why, file.getParent());
            }
        } else {
            why = "internal error: " + rootMessage(e);
            if (s == null) {
                runState.internalError(file.getFileName() + ": " + e);
                LOG.error("{}: stopped by an internal error; it stays in {}", file.getFileName(), file.getParent(), e);
                try {
                    new Run(baseName(file), reportsDir, file.toString(), dryRun, filter, List.of()).abort(why);
                } catch (IOException | RuntimeException failed) {
                    LOG.warn("{}: cannot write its summary: {}", file.getFileName(), failed.toString());
                }
            }
        }
        boolean trouble = !runState.isHalted() && !(e instanceof FileChangedException);
        if (s != null) {
            held.hold(s.file, s.size, s.modified, why, trouble);
        } else {
            held.hold(file, why, trouble);
        }
    }

    /**
     * Step file-moved: the file moves where its run decided (bulk.done, bulk.failed), then the line says so; a
     * finished run's journal goes after the move. A file that does not move (a dry run's, an --apply plan, a
     * stopped run) stays held until it changes. A move that fails is one line: the file stays, held, and --once
     * exits 3; its next try finishes it without resending (the journal is kept).
     */
    public void move(Exchange ex, @ExchangeProperty(KEEP) boolean keep) {
        Move m = ex.getProperty(MOVE_TO, Move.class);
        State s = ex.getProperty(STATE, State.class);
        if (m == null) {
            return; // stopped: held by stopped()
        }
        Path file = s != null ? s.file : ex.getIn().getBody(java.io.File.class).toPath();
        if (keep) {
            held.hold(file, "kept where it is (a dry run, or --apply)", false);
            if (m.said() != null) {
                LOG.atLevel(m.level()).log(m.said() + ". It stays where it is");
            }
        } else {
            Path dir = m.target().getParent();
            Path target = m.target();
            try {
                Files.createDirectories(dir);
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) { // taken since: never over a file
                    target = freeName(dir, file.getFileName().toString());
                }
                Files.move(file, target);
            } catch (IOException | RuntimeException e) {
                String why = "cannot be moved to " + dir + " (" + rootMessage(e) + ")";
                held.hold(file, why, true);
                runState.fault();
                LOG.error("{}: {}; it stays in {}, not read again until it changes or the bundle restarts. Fix the "
                        + "folder, then touch the file{}", file.getFileName(), why, file.getParent(),
                        s != null && s.finished ? ": its run finishes without sending anything again" : "");
                return;
            }
            LOG.atLevel(m.level()).log((m.said() == null ? file.getFileName() + ": moved to " : m.said() + ". Moved to ")
                    + target);
            Approvals.forget(file);
        }
        if (s != null && s.finished && s.run.journal() != null) {
            s.run.journal().finish(); // after the move: until then the register alone does not make it a re-drop
        }
    }

    /** Where a file is to move, and what its line says besides (null: only the move). */
    record Move(Path target, Level level, String said) {
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /** The file walked again for the reports; refused if it changed since it was read. */
    private static Run.RowSource rows(State s) {
        return visitor -> {
            if (!(s.size + "@" + s.modified).equals(HeldFiles.key(s.file))) {
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
    static Path freeName(Path dir, String fileName) {
        Path p = dir.resolve(fileName);
        String stem = fileName.toLowerCase(Locale.ROOT).endsWith(".csv") ? fileName.substring(0, fileName.length() - 4) : fileName;
        for (int n = 1; Files.exists(p); n++) {
            p = dir.resolve(stem + "-" + LocalDateTime.now().format(SUFFIX) + (n > 1 ? "-" + n : "") + ".csv");
        }
        return p;
    }

}
