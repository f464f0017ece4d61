package closetaskbulk.run;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import closetaskbulk.ops.Meters;

/**
 * A run's files in bulk.reports, named after its base: results in input order, the retry file of INVALID and
 * FAILED rows in the input's own columns, the undo file (appended to as batches are confirmed, never
 * truncated), a dry run's plan and the summary. Every cell is formula-safe. Called under the run's lock.
 */
final class RunReports {

    /** Every report a run may write, in the order the summary lists them. */
    static final String[] SUFFIXES = {".results.csv", ".retry.csv", ".undo.csv", ".plan.csv", ".summary.json"};
    /** The columns a report adds to a row's own: an input that already has them (a retry file) is read without them. */
    static final List<String> REPORT_COLUMNS = List.of("line", "error");
    /** A plan up to this size (about 300,000 rows) is sorted into input order at the end. */
    static final long PLAN_SORT_BYTES = 64L << 20;
    static final CSVFormat OUT = CSVFormat.DEFAULT.builder().setRecordSeparator("\n").build();
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final int NOT_RESTORABLE_SAMPLE = 100;

    private final Path reportsDir;
    private final String base;
    private final List<String> updateColumns;
    private final boolean dryRun;
    private BufferedWriter undoOut;
    private CSVPrinter undo;
    private CSVPrinter plan;
    private final String plannedAt = Instant.now().toString();
    private boolean undoStarted;
    private int notRestorableCount;
    private final List<Map<String, String>> notRestorable = new ArrayList<>();
    private List<String> header = List.of();
    private int[] carried = {}; // where the carried columns are in a row's cells
    private String outcome;

    RunReports(Path reportsDir, String base, List<String> updateColumns, boolean dryRun) {
        this.reportsDir = reportsDir;
        this.base = base;
        this.updateColumns = updateColumns;
        this.dryRun = dryRun;
    }

    String base() {
        return base;
    }

    Path report(String suffix) {
        return reportsDir.resolve(base + suffix);
    }

    void header(List<String> header, List<Integer> carried) {
        this.header = List.copyOf(header);
        this.carried = carried.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The names of the carried columns, as the input writes them. */
    private List<String> carriedNames() {
        List<String> names = new ArrayList<>(carried.length);
        for (int at : carried) {
            names.add(header.get(at));
        }
        return names;
    }

    /** A row's carried cells, formula-safe. */
    List<String> carried(List<String> cells) {
        List<String> out = new ArrayList<>(carried.length);
        for (int at : carried) {
            out.add(at < cells.size() ? safe(cells.get(at)) : "");
        }
        return out;
    }

    /** A taken name gets a time suffix: nothing is overwritten. */
    static String uniqueBase(Path dir, String name) {
        String candidate = name;
        for (int n = 1; taken(dir, candidate); n++) {
            candidate = name + "-" + LocalDateTime.now().format(SUFFIX) + (n > 1 ? "-" + n : "");
        }
        return candidate;
    }

    private static boolean taken(Path dir, String base) {
        for (String suffix : SUFFIXES) {
            if (Files.exists(dir.resolve(base + suffix))) {
                return true;
            }
        }
        return false;
    }

    /**
     * An UPDATED row's values from before the write. A field that was empty before cannot be restored by
     * the undo file (an empty cell means "leave alone"): it is named in the summary instead.
     */
    void undo(String id, Update update, Map<String, String> before) {
        try {
            if (undo == null) {
                Files.createDirectories(reportsDir);
                boolean fresh = !undoStarted;
                undoOut = Files.newBufferedWriter(report(".undo.csv"), StandardCharsets.UTF_8,
                        fresh ? new OpenOption[0] : new OpenOption[] {StandardOpenOption.APPEND});
                undo = new CSVPrinter(undoOut, OUT);
                if (fresh) {
                    List<String> head = new ArrayList<>();
                    head.add("id");
                    head.addAll(updateColumns);
                    undo.printRecord(head);
                    undoStarted = true;
                }
            }
            Map<String, Object> changed = update.fields();
            List<String> row = new ArrayList<>();
            row.add(safe(id));
            for (String col : updateColumns) {
                String v = changed.containsKey(col) ? before.get(col) : null;
                if (changed.containsKey(col) && v == null) {
                    notRestorableCount++;
                    if (notRestorable.size() < NOT_RESTORABLE_SAMPLE) {
                        notRestorable.add(Map.of("id", id, "field", col));
                    }
                }
                row.add(v == null ? "" : safe(v));
            }
            undo.printRecord(row);
        } catch (IOException e) {
            throw new ReportWriteException(report(".undo.csv").toString(), e);
        }
    }

    /**
     * A dry run's row that would be written: line, id, then per update column its value now (_before) and
     * the one asked for (_after); both empty for a field the row leaves alone; planned_at; then the row's
     * carried cells.
     */
    void plan(int line, String id, Update update, Map<String, String> before, List<String> carriedCells) {
        try {
            if (plan == null) {
                Files.createDirectories(reportsDir);
                plan = new CSVPrinter(Files.newBufferedWriter(report(".plan.csv"), StandardCharsets.UTF_8), OUT);
                List<String> head = new ArrayList<>();
                head.add("line");
                head.add("id");
                for (String col : updateColumns) {
                    head.add(col + "_before");
                    head.add(col + "_after");
                }
                head.add("planned_at");
                head.addAll(carriedNames());
                plan.printRecord(head);
            }
            Map<String, Object> changed = update.fields();
            List<String> row = new ArrayList<>();
            row.add(String.valueOf(line));
            row.add(safe(id));
            for (String col : updateColumns) {
                boolean changes = changed.containsKey(col);
                String was = changes ? before.get(col) : null;
                row.add(was == null ? "" : safe(was));
                row.add(changes ? safe(String.valueOf(changed.get(col))) : "");
            }
            row.add(plannedAt);
            for (int i = 0; i < carried.length; i++) {
                row.add(carriedCells != null && i < carriedCells.size() ? carriedCells.get(i) : "");
            }
            plan.printRecord(row);
        } catch (IOException e) {
            throw new ReportWriteException(report(".plan.csv").toString(), e);
        }
    }

    /**
     * Writes results, retry and summary. {@code rows} walks the input again; lines it visits that have no
     * result (none should) are reported FAILED rather than lost. {@code facts}: the summary's account of the run,
     * taken once the results are complete.
     */
    Map<String, Object> finish(RowSource rows, RunResults results, Supplier<Map<String, Object>> facts) throws IOException {
        Files.createDirectories(reportsDir);
        closeUndo();
        sortPlan();
        List<String> names = header.stream().map(h -> h.trim().toLowerCase(java.util.Locale.ROOT)).toList();
        List<String> asked = updateColumns;
        int[] askedAt = new int[asked.size()]; // where each update column's value is in a row's cells
        for (int i = 0; i < asked.size(); i++) {
            askedAt[i] = names.indexOf(asked.get(i)) >= 0 ? names.indexOf(asked.get(i)) : names.indexOf(asked.get(i) + "_after");
        }
        List<Integer> own = new ArrayList<>(); // the input's own columns, without those of an earlier report
        for (int i = 0; i < names.size(); i++) {
            if (!REPORT_COLUMNS.contains(names.get(i))) {
                own.add(i);
            }
        }
        Path retryPath = report(".retry.csv");
        CSVPrinter retry = null;
        try (BufferedWriter w = Files.newBufferedWriter(report(".results.csv"), StandardCharsets.UTF_8);
             CSVPrinter resultsFile = new CSVPrinter(w, OUT)) {
            List<String> head = new ArrayList<>(List.of("line", "id", "status", "http_status", "message"));
            head.addAll(asked);
            head.addAll(carriedNames());
            resultsFile.printRecord(head);
            final CSVPrinter[] retryHolder = {null};
            rows.forEach((line, id, cells) -> {
                Status s = results.status(line);
                if (s == null) {
                    results.result(line, Status.FAILED, 0, "internal error: this row was not processed; drop it again");
                    s = Status.FAILED;
                }
                int http = results.http(line);
                String message = results.message(line);
                List<Object> out = new ArrayList<>(5 + asked.size() + carried.length);
                out.add(line);
                out.add(safe(id));
                out.add(s);
                out.add(http == 0 ? "" : http);
                out.add(safe(message));
                for (int at : askedAt) {
                    out.add(cells != null && at >= 0 && at < cells.size() ? safe(cells.get(at).trim()) : "");
                }
                if (carried.length > 0) {
                    out.addAll(cells == null ? java.util.Collections.nCopies(carried.length, "") : carried(cells));
                }
                resultsFile.printRecord(out);
                if ((s == Status.INVALID || s == Status.FAILED) && cells != null) {
                    if (retryHolder[0] == null) {
                        retryHolder[0] = new CSVPrinter(Files.newBufferedWriter(retryPath, StandardCharsets.UTF_8), OUT);
                        List<String> retryHead = new ArrayList<>();
                        own.forEach(i -> retryHead.add(header.get(i)));
                        retryHead.addAll(REPORT_COLUMNS);
                        retryHolder[0].printRecord(retryHead);
                    }
                    List<String> row = new ArrayList<>(own.size() + 2);
                    own.forEach(i -> row.add(i < cells.size() ? safe(cells.get(i)) : ""));
                    row.add(String.valueOf(line));
                    row.add(safe(message));
                    retryHolder[0].printRecord(row);
                }
            });
            retry = retryHolder[0];
        } finally {
            if (retry != null) {
                retry.close();
            }
        }
        outcome = "finished";
        return writeSummary(null, results, facts);
    }

    /**
     * The plan is written as batches are read; at the end it is put in input order (a plan of up to
     * PLAN_SORT_LIMIT rows; a larger one keeps batch order, and is applied the same either way).
     */
    private void sortPlan() throws IOException {
        Path p = report(".plan.csv");
        if (!Files.exists(p) || Files.size(p) > PLAN_SORT_BYTES) {
            return;
        }
        List<org.apache.commons.csv.CSVRecord> rows;
        List<String> head;
        try (java.io.Reader r = Files.newBufferedReader(p, StandardCharsets.UTF_8);
             org.apache.commons.csv.CSVParser parser = CSVFormat.DEFAULT.builder().setHeader()
                     .setSkipHeaderRecord(true).build().parse(r)) {
            head = parser.getHeaderNames();
            rows = new ArrayList<>(parser.getRecords());
        }
        rows.sort(java.util.Comparator.comparingLong(rec -> Long.parseLong(rec.get(0))));
        Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
        try (CSVPrinter out = new CSVPrinter(Files.newBufferedWriter(tmp, StandardCharsets.UTF_8), OUT)) {
            out.printRecord(head);
            for (org.apache.commons.csv.CSVRecord rec : rows) {
                out.printRecord(rec.toList());
            }
        }
        Files.move(tmp, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Ends the run with only a summary: {@code outcome} and why. */
    Map<String, Object> end(String outcome, String reason, RunResults results, Supplier<Map<String, Object>> facts)
            throws IOException {
        closeUndo();
        this.outcome = outcome;
        return writeSummary(reason, results, facts);
    }

    private void closeUndo() throws IOException {
        if (undo != null) {
            undo.close();
            undo = null;
        }
        if (plan != null) {
            plan.close();
            plan = null;
        }
    }

    /** The summary: the run's facts, with its outcome and why after its source, and its plan's seal after dry_run. */
    private Map<String, Object> writeSummary(String reason, RunResults results, Supplier<Map<String, Object>> facts)
            throws IOException {
        Files.createDirectories(reportsDir);
        Map<String, Object> s = new LinkedHashMap<>();
        for (Map.Entry<String, Object> fact : facts.get().entrySet()) {
            s.put(fact.getKey(), fact.getValue());
            if (fact.getKey().equals("source")) {
                s.put("outcome", outcome);
                if (reason != null) {
                    s.put("reason", closetaskbulk.ops.Messages.brief(reason)); // the console sends it with every poll
                }
            } else if (fact.getKey().equals("dry_run")) {
                planSeal(s, results);
            }
        }
        Instant started = Instant.parse(String.valueOf(s.get("start")));
        Instant end = Instant.now();
        s.put("end", end.toString());
        s.put("duration_ms", end.toEpochMilli() - started.toEpochMilli());
        Meters.run(String.valueOf(s.get("source")).startsWith("sweep") ? "sweep" : "file", end.toEpochMilli() - started.toEpochMilli());
        Map<String, String> reports = new LinkedHashMap<>();
        for (String suffix : SUFFIXES) {
            Path p = report(suffix);
            if (Files.exists(p) || suffix.equals(".summary.json")) {
                reports.put(suffix.substring(1, suffix.lastIndexOf('.')), p.toString());
            }
        }
        s.put("reports", reports);
        if (notRestorableCount > 0) {
            s.put("not_restorable", Map.of("count", notRestorableCount, "note",
                    "these fields were empty before the run; the undo file cannot empty them again",
                    "sample", notRestorable));
        }
        JSON.writeValue(report(".summary.json").toFile(), s);
        return s;
    }

    /**
     * A dry run that finished: its plan's SHA-256 (plan_sha256), which the console shows and Approve sends, and
     * which the intake seals it with. A plan that lacks rows (reads FAILED) gets none: it cannot be approved.
     */
    private void planSeal(Map<String, Object> s, RunResults results) throws IOException {
        Path p = report(".plan.csv");
        if (!dryRun || !"finished".equals(outcome) || !Files.exists(p)) {
            return;
        }
        int failed = results.counts().getOrDefault(Status.FAILED, 0);
        if (failed > 0) {
            s.put("plan_incomplete", failed + " rows FAILED in the dry run and are not in the plan: it cannot be "
                    + "approved; make a new preview once Close answers");
        } else {
            s.put("plan_sha256", PlanSeals.sha256(p));
        }
    }

    /** Spreadsheets run cells that start with = + - @ (or tab, CR): prefix them so they show as text. */
    static String safe(String cell) {
        if (cell == null || cell.isEmpty()) {
            return cell;
        }
        char c = cell.charAt(0);
        return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r' ? "'" + cell : cell;
    }
}
