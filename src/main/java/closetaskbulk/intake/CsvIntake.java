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
import closetaskbulk.run.RowSource;
import closetaskbulk.run.Run;
import closetaskbulk.run.RunDescription;
import closetaskbulk.run.RunState;
import closetaskbulk.run.Runs;
import closetaskbulk.run.Status;

/**
 * The CSV adapter (route csv-intake): checks a dropped file (UTF-8, header, seen before?), describes its run,
 * turns its records into rows for route run, and moves the file where the route's choice sends it.
 */
public class CsvIntake {

    /** Exchange properties of the intake route. */
    public static final String STATE = "bulkIntake";
    /** Exchange property: how the file's run went (processed, already-processed, rejected, stopped), for the choice. */
    public static final String OUTCOME = "bulkFileOutcome";
    /** Exchange property: what the file's line says besides where it went ({@link Said}). */
    static final String SAID = "bulkFileSaid";
    /** Exchange property: this file is previewed (a dry run that writes a plan), whatever bulk.dry-run says. */
    public static final String PREVIEW = "bulkPreview";
    /** Exchange property: the source is plan-intake (the file is a plan). */
    public static final String PLAN = "bulkPlan";
    /** Exchange property: the file was replaced while it was read. */
    public static final String CHANGED = "bulkChanged";

    private static final Logger LOG = LoggerFactory.getLogger(CsvIntake.class);
    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    /** One file being processed: a CSV of changes, or a plan (a dry run's .plan.csv) to apply. */
    static final class State {
        final Path file;
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

        State(Path file, char delimiter, List<String> header, boolean plan) {
            this.file = file;
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

    private final Path doneDir;
    private final Path failedDir;
    private final RunState runState;
    private final HeldFiles held;
    private ProcessedFiles processed;
    private Journal.Store journals;
    private boolean repeat;

    public CsvIntake(Path doneDir, Path failedDir, RunState runState, HeldFiles held) {
        this.doneDir = doneDir;
        this.failedDir = failedDir;
        this.runState = runState;
        this.held = held;
    }

    /**
     * The re-drop guard: processed contents (SHA-256) in Camel's idempotent repository, details of each first run
     * under stateDir; a content whose run's journal is unfinished is that run, resumed; {@code repeat} processes a
     * known content again.
     */
    public CsvIntake durable(Path stateDir, org.apache.camel.spi.IdempotentRepository processed, Journal.Store journals,
                             boolean repeat) {
        this.processed = new ProcessedFiles(stateDir, processed);
        this.journals = journals;
        this.repeat = repeat;
        return this;
    }

    /**
     * Step check-file: the whole file is UTF-8 and valid CSV, its header one we know (a CSV of changes, or a
     * plan to apply exactly when the source says so), its content new (a plan: not older than
     * bulk.plan.max-age); describes its run (a file refused or stopped before then is described by its name).
     */
    public void open(Exchange ex, @ExchangeProperty(PLAN) boolean plan) throws IOException {
        Path file = ex.getIn().getBody(java.io.File.class).toPath();
        String name = baseName(file);
        ex.setProperty(STATE, null);
        ex.setProperty(RunDescription.PROPERTY, new RunDescription(name, file.toString()).plan(plan));
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
        // a file in bulk.preview is previewed; an approved plan is applied, whatever bulk.dry-run says (the rules)
        boolean preview = !plan && ex.getProperty(PREVIEW, false, Boolean.class);
        State s = new State(file, shape.delimiter(), header, plan);
        s.sha = sha;
        s.size = attributes.size(); // as before the check pass: a change since is seen when the reports are written
        s.modified = attributes.lastModifiedTime().toMillis();
        s.channel = channel;
        RunDescription run = new RunDescription(name, file.toString()).plan(plan).dryRun(preview).content(sha)
                .updateColumns(updateCols)
                .header(raw, ExtraColumns.positions(header, plan ? CsvFile::isKnownInPlan : CsvFile::isKnown))
                .rows(shape.rows(), rows(s));
        if (plan) {
            Map<String, String> approval = Approvals.read(file);
            if (approval != null) {
                run.approved(approval.get("by"), approval.get("at"));
            }
        }
        ex.setProperty(STATE, s);
        ex.setProperty(RunDescription.PROPERTY, run);
        // the body stays the file: to-rows streams it (an InputStream body would be stream-cached whole in memory)
        LOG.info("{}: {} ({} rows; columns {}, delimiter '{}'{})", file.getFileName(), plan ? "applying the plan"
                : "reading", shape.rows(), header, shape.delimiter(), preview ? ", a preview" : "");
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

    /** Step file-processed: its run finished (the summary is the body); the file is processed. */
    public void done(Exchange ex) {
        ex.getProperty(STATE, State.class).finished = true;
        ex.setProperty(OUTCOME, "processed");
    }

    /**
     * Step why-refused: the file was refused whole, before any request: processed before (a warning; it goes to
     * bulk.done), or rejected (it goes to bulk.failed). Route run-refused then writes the summary that says why.
     */
    public void refused(Exchange ex) {
        Throwable e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Path file = ex.getIn().getBody(java.io.File.class).toPath();
        if (e instanceof AlreadyProcessedException) {
            ex.setProperty(Runs.REFUSAL, new Runs.Refusal("already-processed", e.getMessage()));
            ex.setProperty(OUTCOME, "already-processed");
            ex.setProperty(SAID, new Said(Level.WARN, file.getFileName() + ": " + e.getMessage(), false));
        } else {
            ex.setProperty(Runs.REFUSAL, new Runs.Refusal("rejected", e.getMessage()));
            ex.setProperty(OUTCOME, "rejected");
            ex.setProperty(SAID, new Said(Level.ERROR, file.getFileName() + ": rejected, nothing sent: " + e.getMessage(),
                    true));
        }
    }

    /**
     * Step why-stopped: something stopped the file's run (runs.stopped has written its summary, and said why unless
     * its run had ended). The file stays where it is, held until it changes: after a halt, a change of the file
     * (its new content is taken as a new file), a state or report that cannot be written, or an internal error (an
     * OutOfMemoryError included: the input is never moved for a fault of the bundle).
     */
    public void stopped(Exchange ex) {
        Throwable e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        State s = ex.getProperty(STATE, State.class);
        Path file = s != null ? s.file : Path.of(ex.getIn().getHeader(Exchange.FILE_PATH, String.class));
        boolean told = ex.getProperty(Runs.RUN) != null && (s == null || !s.finished); // runs.stopped said it
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
            why = "internal error: " + rootMessage(e); // runs.stopped said it, with its trace
        }
        ex.setProperty(OUTCOME, "stopped");
        ex.setProperty(SAID, new Stopped(why, !runState.isHalted() && !(e instanceof FileChangedException)));
    }

    /**
     * Step file-held: the file stays where it is, held until it changes: its run stopped (why-stopped said why), or
     * it is kept (a dry run's in the inbox, a plan given to --apply). A kept content processed is registered as
     * being there.
     */
    public void stays(Exchange ex) {
        State s = ex.getProperty(STATE, State.class);
        Path file = fileOf(ex);
        if (ex.getProperty(SAID) instanceof Stopped stopped) {
            if (s != null) {
                held.hold(s.file, s.size, s.modified, stopped.why(), stopped.trouble());
            } else {
                held.hold(file, stopped.why(), stopped.trouble());
            }
            return;
        }
        if (!register(ex, file)) {
            return;
        }
        held.hold(file, "kept where it is (a dry run, or --apply)", false);
        Said said = ex.getProperty(SAID, Said.class);
        String where = "stays in " + file.getParent();
        if (said == null) {
            LOG.info("{}: {}", file.getFileName(), where);
        } else {
            LOG.atLevel(said.level()).log(said.line(ex) + ". It " + where);
        }
        journalDone(ex);
    }

    /** Step file-to-done: processed, or processed before: the file moves to bulk.done. */
    public void toDone(Exchange ex) {
        move(ex, doneDir);
    }

    /** Step file-to-failed: rejected whole: the file moves to bulk.failed. */
    public void toFailed(Exchange ex) {
        move(ex, failedDir);
    }

    /**
     * The file moves to dir (a free name there), then the line says so; a finished run's journal goes after the
     * move. A move that fails is one line: the file stays, held, and --once exits 3; its next try finishes it
     * without resending (the journal is kept).
     */
    private void move(Exchange ex, Path dir) {
        State s = ex.getProperty(STATE, State.class);
        Path file = fileOf(ex);
        Path target = freeName(dir, file.getFileName().toString());
        if (!register(ex, target)) {
            return;
        }
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
        Said said = ex.getProperty(SAID, Said.class);
        if (said == null) {
            LOG.info("{}: moved to {}", file.getFileName(), target);
        } else {
            LOG.atLevel(said.level()).log(said.line(ex) + ". Moved to " + target);
        }
        Approvals.forget(file);
        journalDone(ex);
    }

    /**
     * A content processed (not in a dry run, no row FAILED: it may be dropped again then) is registered with where
     * the file is from now on, before it goes there: a crash in between leaves the run's journal, and a content
     * registered with its journal still there is that run, unfinished, not a re-drop. False when that cannot be
     * written: the file stays, held, and the line says so.
     */
    private boolean register(Exchange ex, Path where) {
        State s = ex.getProperty(STATE, State.class);
        Run run = ex.getProperty(Runs.RUN, Run.class);
        if (processed == null || s == null || !s.finished || run.dryRun()
                || run.results().counts().getOrDefault(Status.FAILED, 0) > 0) {
            return true;
        }
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> summary = ex.getIn().getBody(Map.class);
            processed.remember(s.sha, s.file.getFileName().toString(), summary.get("end"), where,
                    run.report(".summary.json"));
            return true;
        } catch (IOException | RuntimeException e) {
            String why = "cannot write its reports or state: " + rootMessage(e);
            held.hold(s.file, s.size, s.modified, why, true);
            runState.fault();
            LOG.error("{}: {}. It stays in {} and is not read again until it changes or the bundle restarts; free "
                    + "space or fix the folder, then touch the file: batches Close confirmed are not sent again",
                    s.file.getFileName(), why, s.file.getParent());
            return false;
        }
    }

    /** A finished run's journal goes once its file is where it stays: until then the register alone does not make it a re-drop. */
    private static void journalDone(Exchange ex) {
        State s = ex.getProperty(STATE, State.class);
        Run run = ex.getProperty(Runs.RUN, Run.class);
        if (s != null && s.finished && run.journal() != null) {
            run.journal().finish();
        }
    }

    private static Path fileOf(Exchange ex) {
        State s = ex.getProperty(STATE, State.class);
        return s != null ? s.file : Path.of(ex.getIn().getHeader(Exchange.FILE_PATH, String.class)); // the body may be a summary
    }

    /** What a refused file's line says besides where it went; a rejected one's names its summary (the body). */
    record Said(Level level, String text, boolean withSummary) {
        String line(Exchange ex) {
            if (withSummary && ex.getIn().getBody() instanceof Map<?, ?> summary
                    && summary.get("reports") instanceof Map<?, ?> reports) {
                return text + "; see " + reports.get("summary");
            }
            return text;
        }
    }

    /** Why a stopped file stays, and whether that is trouble (health DOWN) or expected (a halt, a change). */
    record Stopped(String why, boolean trouble) {
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /** The file walked again for the reports; refused if it changed since it was read. */
    private static RowSource rows(State s) {
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
