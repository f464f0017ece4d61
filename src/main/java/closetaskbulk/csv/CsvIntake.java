package closetaskbulk.csv;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.apache.camel.Exchange;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import closetaskbulk.RunState;
import closetaskbulk.bulk.Batch;
import closetaskbulk.bulk.Journal;
import closetaskbulk.bulk.Run;
import closetaskbulk.bulk.Run.Status;
import closetaskbulk.bulk.Update;

/**
 * The steps of route csv-intake that carry logic: check the file and its header, check each row, batch the
 * good rows by update, write the reports, and choose where the file moves.
 */
public class CsvIntake {

    /** Exchange properties of the intake route. */
    public static final String STATE = "bulkIntake";
    public static final String MOVE_TO = "bulkMoveTo";
    public static final String DELIMITER = "bulkDelimiter";
    public static final String SHA = "bulkSha256";

    static final List<String> UPDATE_COLUMNS = List.of("assigned_to", "date", "is_complete");
    private static final Logger LOG = LoggerFactory.getLogger(CsvIntake.class);
    private static final Logger PROGRESS = LoggerFactory.getLogger("closetaskbulk.progress");
    private static final Pattern ID = Pattern.compile("[a-z]+_[A-Za-z0-9_]+");
    private static final Pattern USER = Pattern.compile("user_[A-Za-z0-9]+");
    private static final Pattern DATE_SHAPE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    /** One file being processed. */
    static final class State {
        final Path file;
        final Run run;
        final char delimiter;
        final int columns;
        final int idCol;
        final int[] updateCols = {-1, -1, -1}; // assigned_to, date, is_complete
        final IdIndex seen = new IdIndex();
        Batcher batcher;
        String sha;
        long size;
        long modified;

        State(Path file, Run run, char delimiter, List<String> header) {
            this.file = file;
            this.run = run;
            this.delimiter = delimiter;
            this.columns = header.size();
            int id = -1;
            for (int i = 0; i < header.size(); i++) {
                String h = header.get(i);
                if (h.equals("id") || h.equals("task_id")) {
                    id = i;
                } else {
                    updateCols[UPDATE_COLUMNS.indexOf(h)] = i;
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
    private final Map<String, String> filter;
    private final RunState runState;
    private Path stateDir;
    private org.apache.camel.spi.IdempotentRepository processed;
    private Journal.Store journals;
    private boolean repeat;
    private String fingerprint = "";

    public CsvIntake(Path reportsDir, Path doneDir, Path failedDir, boolean dryRun, int batchSize,
                     int maxOpenBatches, Map<String, String> filter, RunState runState) {
        this.reportsDir = reportsDir;
        this.doneDir = doneDir;
        this.failedDir = failedDir;
        this.dryRun = dryRun;
        this.batchSize = batchSize;
        this.maxOpenBatches = maxOpenBatches;
        this.filter = Map.copyOf(filter);
        this.runState = runState;
    }

    /**
     * Crash recovery and the re-drop guard: run journals, processed contents (SHA-256) in Camel's idempotent
     * repository, details of each first run under stateDir; {@code repeat} processes a known content again.
     */
    public CsvIntake durable(Path stateDir, org.apache.camel.spi.IdempotentRepository processed, Journal.Store journals,
                             boolean repeat, boolean readBeforeWrite) {
        this.stateDir = stateDir;
        this.processed = processed;
        this.journals = journals;
        this.repeat = repeat;
        this.fingerprint = "batch=" + batchSize + ";open=" + maxOpenBatches + ";read=" + readBeforeWrite
                + ";filter=" + new java.util.TreeMap<>(filter);
        return this;
    }

    /** Checks the whole file is UTF-8 and its header is one we know; opens the run. */
    public void begin(Exchange ex) throws IOException {
        Path file = ex.getIn().getBody(java.io.File.class).toPath();
        String name = baseName(file);
        ex.setProperty(STATE, null);
        String[] scan = checkUtf8(file);
        String sha = scan[0];
        ex.setProperty(SHA, sha);
        if (processed != null && !repeat && processed.contains(sha)) {
            throw new AlreadyProcessedException(firstRun(sha));
        }
        List<String> raw = readHeader(file);
        char delimiter = raw.size() == 1 && raw.get(0).contains(";") ? ';' : ',';
        if (delimiter == ';') {
            raw = readHeader(file, ';');
        }
        List<String> header = checkHeader(raw);
        List<String> updateCols = UPDATE_COLUMNS.stream().filter(header::contains).toList();
        Journal journal = dryRun || stateDir == null ? null
                : Journal.open(journals, sha, fingerprint, Run.uniqueBase(reportsDir, name));
        Run run = new Run(name, reportsDir, file.toString(), dryRun, filter, updateCols,
                journal == null ? null : journal.base()).journal(journal);
        run.header(raw.stream().map(CsvIntake::stripBom).toList());
        run.total(Math.max(0, Long.parseLong(scan[1]) - 1));
        State s = new State(file, run, delimiter, header);
        s.sha = sha;
        s.size = Files.size(file);
        s.modified = Files.getLastModifiedTime(file).toMillis();
        s.batcher = new Batcher(run, batchSize, maxOpenBatches);
        ex.setProperty(STATE, s);
        ex.setProperty(closetaskbulk.bulk.BulkUpdate.RUN, run);
        ex.setProperty(DELIMITER, String.valueOf(delimiter));
        LOG.info("{}: reading ({} columns: {}, delimiter '{}'{})", file.getFileName(), header.size(), header,
                delimiter, dryRun ? ", DRY RUN" : "");
    }

    /** One record of the split (index 0 is the header). Returns the batches that became ready. */
    public List<Batch> row(Exchange ex) {
        State s = ex.getProperty(STATE, State.class);
        int index = ex.getProperty(Exchange.SPLIT_INDEX, Integer.class);
        if (index == 0) {
            return List.of();
        }
        if ((index & 1023) == 0) {
            s.run.progress(PROGRESS);
        }
        @SuppressWarnings("unchecked")
        List<String> cells = ex.getIn().getBody(List.class);
        int line = index + 1;
        String problem = null;
        String id = s.idCol < cells.size() ? cells.get(s.idCol).trim() : "";
        if (cells.size() != s.columns) {
            problem = "this row has " + cells.size() + " cell" + (cells.size() == 1 ? "" : "s") + " but the header has "
                    + s.columns + " columns (a stray or missing separator?)";
        } else {
            problem = checkId(id);
        }
        if (problem == null) {
            int first = s.seen.putIfAbsent(id, line);
            if (first != 0) {
                s.run.duplicate(line, first);
                return List.of();
            }
        }
        Update update = null;
        if (problem == null) {
            String assignedTo = cell(cells, s.updateCols[0]);
            String date = cell(cells, s.updateCols[1]);
            String complete = cell(cells, s.updateCols[2]);
            problem = checkValues(assignedTo, date, complete);
            if (problem == null) {
                update = new Update(assignedTo, date, complete == null ? null : parseBool(complete));
                if (update.isEmpty()) {
                    problem = "nothing to change: fill at least one of " + String.join(", ", UPDATE_COLUMNS);
                }
            }
        }
        if (problem != null) {
            s.run.result(line, Status.INVALID, 0, problem);
            return List.of();
        }
        return s.batcher.add(line, id, update);
    }

    /** Null when the id looks like a Close task id; else what is wrong with it, for a person. */
    public static String checkId(String id) {
        if (id.isEmpty()) {
            return "id is empty";
        }
        if (id.chars().anyMatch(Character::isWhitespace) || id.contains(",") || id.contains(";")) {
            return "id '" + quote(id) + "' holds more than one token: put one task id per row";
        }
        if (!ID.matcher(id).matches()) {
            return "id '" + quote(id) + "' is not a Close task id (like task_abc123 or noti_abc123)";
        }
        return null;
    }

    /** Null when the update values are ones Close accepts; else what is wrong with each, for a person. */
    public static String checkValues(String assignedTo, String date, String complete) {
        List<String> errors = new ArrayList<>(3);
        if (assignedTo != null && !USER.matcher(assignedTo).matches()) {
            errors.add("assigned_to '" + quote(assignedTo) + "' is not a Close user id (like user_abc123)");
        }
        String dateError = date == null ? null : checkDate(date);
        if (dateError != null) {
            errors.add(dateError);
        }
        if (complete != null && parseBool(complete) == null) {
            errors.add("is_complete '" + quote(complete) + "' must be true or false (1/0 and yes/no work too)");
        }
        return errors.isEmpty() ? null : String.join("; ", errors);
    }

    /** The update columns an update touches, in report order. */
    public static List<String> updateColumns(Update u) {
        return UPDATE_COLUMNS.stream().filter(u.fields()::containsKey).toList();
    }

    /** End of the file: every partial batch. */
    public List<Batch> flush(Exchange ex) {
        return ex.getProperty(STATE, State.class).batcher.flush();
    }

    /** Writes the reports; the file moves to bulk.done. */
    public void finish(Exchange ex) throws IOException {
        State s = ex.getProperty(STATE, State.class);
        if (Files.size(s.file) != s.size || Files.getLastModifiedTime(s.file).toMillis() != s.modified) {
            throw new FileChangedException(s.file.getFileName() + " was replaced or changed while it was being "
                    + "processed: its results would not match its rows. The new content stays in the inbox and is "
                    + "processed as a new file; what was sent before is in this run's undo file");
        }
        Map<String, Object> summary = s.run.finish(rows(s));
        if (!s.run.allOk()) {
            runState.rowsNotOk();
        }
        Path target = uniqueTarget(doneDir, s.file.getFileName().toString());
        if (processed != null && !s.run.dryRun()) {
            remember(s, summary, target);
        }
        ex.setProperty(MOVE_TO, target.toAbsolutePath().toString());
        LOG.info("{}: done, {} rows {}; {} requests; reports: {}; file moved to {}", s.file.getFileName(),
                summary.get("rows"), nonZero(s.run.counts()), ((Map<?, ?>) summary.get("requests")).get("total"),
                s.run.report(".results.csv"), target);
    }

    /** What the re-drop guard says of a content processed before. */
    private String firstRun(String sha) {
        Path info = stateDir.resolve("processed").resolve(sha + ".json");
        String when = "before";
        String where = "";
        try {
            com.fasterxml.jackson.databind.JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(info.toFile());
            when = "on " + n.path("finished").asText() + " as " + n.path("file").asText();
            where = "; its reports: " + n.path("summary").asText();
        } catch (IOException e) {
            LOG.debug("no details of the first run of {}: {}", sha, e.toString());
        }
        return "this content (SHA-256 " + sha.substring(0, 12) + "…) was processed " + when + where
                + ". Nothing was sent. To process it again on purpose, drop it with bulk.repeat=true (--repeat)";
    }

    private void remember(State s, Map<String, Object> summary, Path movedTo) throws IOException {
        Path dir = stateDir.resolve("processed");
        Files.createDirectories(dir);
        Map<String, Object> info = new java.util.LinkedHashMap<>();
        info.put("file", s.file.getFileName().toString());
        info.put("finished", summary.get("end"));
        info.put("moved_to", movedTo.toString());
        info.put("summary", s.run.report(".summary.json").toString());
        new com.fasterxml.jackson.databind.ObjectMapper().writeValue(dir.resolve(s.sha + ".json").toFile(), info);
        processed.add(s.sha);
        if (s.run.journal() != null) {
            s.run.journal().finish();
        }
    }

    /** The same content was processed before: a summary that says so; the file moves to bulk.done. */
    public void alreadyProcessed(Exchange ex) throws IOException {
        Throwable e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Path file = ex.getIn().getBody(java.io.File.class).toPath();
        new Run(baseName(file), reportsDir, file.toString(), dryRun, filter, List.of()).close("already-processed",
                e.getMessage());
        runState.rowsNotOk();
        Path target = uniqueTarget(doneDir, file.getFileName().toString());
        ex.setProperty(MOVE_TO, target.toAbsolutePath().toString());
        LOG.warn("{}: {}. Moved to {}", file.getFileName(), e.getMessage(), target);
    }

    /** The file was refused whole: summary with the reason; the file moves to bulk.failed. */
    public void rejected(Exchange ex) throws IOException {
        Throwable e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Path file = ex.getIn().getBody(java.io.File.class).toPath();
        String reason = e.getMessage();
        Run run = new Run(baseName(file), reportsDir, file.toString(), dryRun, filter, List.of());
        run.reject(reason);
        runState.rowsNotOk();
        Path target = uniqueTarget(failedDir, file.getFileName().toString());
        ex.setProperty(MOVE_TO, target.toAbsolutePath().toString());
        LOG.error("{}: rejected, nothing sent: {}. Moved to {}; see {}", file.getFileName(), reason, target,
                run.report(".summary.json"));
    }

    /**
     * Something stopped the run. After a halt the file stays in the inbox (the exception is thrown again, so
     * the file consumer rolls back) with a summary of what was done. Anything else is an internal error:
     * the file moves to bulk.failed with the reason.
     */
    public void aborted(Exchange ex) throws Exception {
        Exception e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        State s = ex.getProperty(STATE, State.class);
        if (s != null && s.run.journal() != null) {
            s.run.journal().close(); // kept: a restart resumes from it
        }
        if (e instanceof FileChangedException && s != null) {
            s.run.close("changed", e.getMessage());
            runState.rowsNotOk();
            LOG.error("{}", e.getMessage());
            throw e; // roll back: the file (its new content) stays in the inbox
        }
        if (runState.isHalted()) {
            if (s != null) {
                s.run.abort(runState.haltReason());
            }
            throw e;
        }
        // after the splits the body is no longer the file: take it from the run, or the consumer's header
        Path file = s != null ? s.file : Path.of(ex.getIn().getHeader(Exchange.FILE_PATH, String.class));
        if (isWriteFailure(e)) { // a full disk, a folder gone: nothing wrong with the file; retry it as it is
            LOG.error("{}: cannot write its reports or state ({}). The file stays in the inbox and is finished when "
                    + "that is fixed; batches Close confirmed are not sent again.", file.getFileName(), rootMessage(e));
            runState.internalError(file.getFileName() + ": cannot write reports: " + rootMessage(e));
            throw e;
        }
        String reason = "internal error: " + e;
        runState.internalError(file.getFileName() + ": " + e);
        LOG.error("{}: stopped by an internal error", file.getFileName(), e);
        Run run = s != null ? s.run : new Run(baseName(file), reportsDir, file.toString(), dryRun, filter, List.of());
        run.abort(reason);
        Path target = uniqueTarget(failedDir, file.getFileName().toString());
        ex.setProperty(MOVE_TO, target.toAbsolutePath().toString());
    }

    static boolean isWriteFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof closetaskbulk.bulk.ReportWriteException
                    || t instanceof java.io.IOException && !(t instanceof java.nio.charset.CharacterCodingException)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    private Run.RowSource rows(State s) {
        return visitor -> {
            try (Reader r = utf8Reader(s.file); CSVParser p = format(s.delimiter).parse(r)) {
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

    /** The format camel-csv uses by default (CSVFormat.DEFAULT), with the file's delimiter. */
    static CSVFormat format(char delimiter) {
        return CSVFormat.DEFAULT.builder().setDelimiter(delimiter).build();
    }

    private static Reader utf8Reader(Path file) throws IOException {
        return new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8), 1 << 16);
    }

    /**
     * Checks the whole file decodes as UTF-8; returns its SHA-256 (hex) and its number of lines, counted on
     * the same pass (for progress: a quoted line break counts as a line, so it is an estimate).
     */
    static String[] checkUtf8(Path file) throws IOException {
        long lines = 0;
        byte last = '\n';
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        byte[] buf = new byte[1 << 16];
        ByteBuffer in = ByteBuffer.allocate(buf.length + 8);
        CharBuffer out = CharBuffer.allocate(buf.length + 8);
        long offset = 0;
        boolean any = false;
        try (InputStream is = Files.newInputStream(file)) {
            int n;
            while ((n = is.read(buf)) > 0) {
                any = true;
                sha.update(buf, 0, n);
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        lines++;
                    }
                }
                last = buf[n - 1];
                in.put(buf, 0, n).flip();
                var res = dec.decode(in, out, false);
                if (res.isError()) {
                    throw new FileRejectedException("the file is not UTF-8 text (bad bytes near byte "
                            + (offset + in.position()) + "): save it as 'CSV UTF-8'");
                }
                offset += in.position();
                in.compact();
                out.clear();
            }
            in.flip();
            if (dec.decode(in, out, true).isError() || dec.flush(out).isError()) {
                throw new FileRejectedException("the file is not UTF-8 text (it ends inside a character): "
                        + "save it as 'CSV UTF-8'");
            }
        } catch (CharacterCodingException e) {
            throw new FileRejectedException("the file is not UTF-8 text: save it as 'CSV UTF-8'");
        }
        if (!any) {
            throw new FileRejectedException("the file is empty: it needs a header row (id, and any of "
                    + String.join(", ", UPDATE_COLUMNS) + ")");
        }
        return new String[] {java.util.HexFormat.of().formatHex(sha.digest()), String.valueOf(lines + (last == '\n' ? 0 : 1))};
    }

    private static List<String> readHeader(Path file) throws IOException {
        return readHeader(file, ',');
    }

    private static List<String> readHeader(Path file, char delimiter) throws IOException {
        try (Reader r = utf8Reader(file); CSVParser p = format(delimiter).parse(r)) {
            Iterator<CSVRecord> it = p.iterator();
            if (!it.hasNext()) {
                throw new FileRejectedException("the file has no header row: the first line must name the "
                        + "columns (id, and any of " + String.join(", ", UPDATE_COLUMNS) + ")");
            }
            return it.next().toList();
        } catch (java.io.UncheckedIOException | IllegalStateException e) {
            throw new FileRejectedException("the header row is not valid CSV: " + e.getMessage());
        }
    }

    /** Names trimmed and lower-cased; unknown, missing, repeated or empty names reject the file. */
    static List<String> checkHeader(List<String> raw) {
        List<String> header = raw.stream().map(h -> stripBom(h).trim().toLowerCase(Locale.ROOT)).toList();
        if (header.stream().allMatch(String::isEmpty)) {
            throw new FileRejectedException("the header row is empty: the first line must name the columns "
                    + "(id, and any of " + String.join(", ", UPDATE_COLUMNS) + ")");
        }
        Set<String> seen = new LinkedHashSet<>();
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) {
            String h = header.get(i);
            if (h.isEmpty()) {
                throw new FileRejectedException("column " + (i + 1) + " of the header has no name");
            }
            if (!seen.add(h.equals("task_id") ? "id" : h)) {
                throw new FileRejectedException("column '" + h + "' appears twice in the header"
                        + (h.equals("task_id") || h.equals("id") ? " (id and task_id are the same column)" : ""));
            }
            if (!h.equals("id") && !h.equals("task_id") && !UPDATE_COLUMNS.contains(h)) {
                unknown.add(raw.get(i).trim());
            }
        }
        if (!unknown.isEmpty()) {
            throw new FileRejectedException("unknown column" + (unknown.size() > 1 ? "s " : " ") + "'"
                    + String.join("', '", unknown) + "': the columns are id (or task_id), assigned_to, date, "
                    + "is_complete");
        }
        if (!seen.contains("id")) {
            throw new FileRejectedException("no id column: the header needs 'id' (or 'task_id')");
        }
        if (header.size() == 1) {
            throw new FileRejectedException("only an id column: add at least one of "
                    + String.join(", ", UPDATE_COLUMNS) + " to say what to change");
        }
        return header;
    }

    private static String stripBom(String s) {
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }

    private static String cell(List<String> cells, int col) {
        if (col < 0) {
            return null;
        }
        String v = cells.get(col).trim();
        return v.isEmpty() ? null : v;
    }

    public static Boolean parseBool(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> Boolean.TRUE;
            case "false", "0", "no" -> Boolean.FALSE;
            default -> null;
        };
    }

    /** Null when the date is one Close accepts; else what to write instead. */
    static String checkDate(String d) {
        String use = "use 2026-03-01, or a date-time with its offset like 2026-03-01T09:00:00+01:00";
        if (DATE_SHAPE.matcher(d).matches()) {
            try {
                LocalDate.parse(d);
                return null;
            } catch (DateTimeParseException e) {
                return "date '" + quote(d) + "' is not a real calendar date";
            }
        }
        try {
            OffsetDateTime.parse(d);
            return null;
        } catch (DateTimeParseException e) {
            try {
                LocalDateTime.parse(d);
                return "date '" + quote(d) + "' has no time zone offset: " + use;
            } catch (DateTimeParseException e2) {
                return "date '" + quote(d) + "' is not a date Close accepts: " + use;
            }
        }
    }

    /** A value as quoted in a message: a runaway cell (say 10 MB on one line) is cut, not copied. */
    static String quote(String v) {
        return v.length() <= 60 ? v : v.substring(0, 40) + "…(" + v.length() + " characters)";
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

    private static Map<Status, Integer> nonZero(Map<Status, Integer> counts) {
        counts.values().removeIf(v -> v == 0);
        return counts;
    }
}
