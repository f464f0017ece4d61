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

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import closetaskbulk.ops.Meters;
import closetaskbulk.run.Run.Status;

/**
 * A run's files in bulk.reports, named after its base: results in input order, the retry file of INVALID and
 * FAILED rows in the input's own columns, the undo file (appended to as batches are confirmed, never
 * truncated) and the summary. Every cell is formula-safe. Called under the run's lock.
 */
final class RunReports {

    static final CSVFormat OUT = CSVFormat.DEFAULT.builder().setRecordSeparator("\n").build();
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final int NOT_RESTORABLE_SAMPLE = 100;

    private final Run run;
    private final Path reportsDir;
    private final String base;
    private BufferedWriter undoOut;
    private CSVPrinter undo;
    private boolean undoStarted;
    private int notRestorableCount;
    private final List<Map<String, String>> notRestorable = new ArrayList<>();
    private List<String> header = List.of();
    private String outcome;

    RunReports(Run run, Path reportsDir, String base) {
        this.run = run;
        this.reportsDir = reportsDir;
        this.base = base;
    }

    String base() {
        return base;
    }

    Path report(String suffix) {
        return reportsDir.resolve(base + suffix);
    }

    void header(List<String> header) {
        this.header = List.copyOf(header);
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
        for (String suffix : new String[] {".results.csv", ".retry.csv", ".undo.csv", ".summary.json"}) {
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
                    head.addAll(run.updateColumns());
                    undo.printRecord(head);
                    undoStarted = true;
                }
            }
            Map<String, Object> changed = update.fields();
            List<String> row = new ArrayList<>();
            row.add(safe(id));
            for (String col : run.updateColumns()) {
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
     * Writes results, retry and summary. {@code rows} walks the input again; lines it visits that have no
     * result (none should) are reported FAILED rather than lost.
     */
    Map<String, Object> finish() throws IOException {
        Files.createDirectories(reportsDir);
        closeUndo();
        Path retryPath = report(".retry.csv");
        CSVPrinter retry = null;
        try (BufferedWriter w = Files.newBufferedWriter(report(".results.csv"), StandardCharsets.UTF_8);
             CSVPrinter results = new CSVPrinter(w, OUT)) {
            results.printRecord("line", "id", "status", "http_status", "message");
            final CSVPrinter[] retryHolder = {null};
            run.rows().forEach((line, id, cells) -> {
                Status s = run.status(line);
                if (s == null) {
                    run.result(line, Status.FAILED, 0, "internal error: this row was not processed; drop it again");
                    s = Status.FAILED;
                }
                int http = run.http(line);
                results.printRecord(line, safe(id), s, http == 0 ? "" : http, safe(run.message(line)));
                if ((s == Status.INVALID || s == Status.FAILED) && cells != null) {
                    if (retryHolder[0] == null) {
                        retryHolder[0] = new CSVPrinter(Files.newBufferedWriter(retryPath, StandardCharsets.UTF_8), OUT);
                        retryHolder[0].printRecord(header);
                    }
                    List<String> safeCells = new ArrayList<>(cells.size());
                    cells.forEach(c -> safeCells.add(safe(c)));
                    retryHolder[0].printRecord(safeCells);
                }
            });
            retry = retryHolder[0];
        } finally {
            if (retry != null) {
                retry.close();
            }
        }
        outcome = "finished";
        return writeSummary(null);
    }

    /** Ends the run with only a summary: {@code outcome} and why. */
    Map<String, Object> end(String outcome, String reason) throws IOException {
        closeUndo();
        this.outcome = outcome;
        return writeSummary(reason);
    }

    private void closeUndo() throws IOException {
        if (undo != null) {
            undo.close();
            undo = null;
        }
    }

    private Map<String, Object> writeSummary(String reason) throws IOException {
        Files.createDirectories(reportsDir);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", run.name());
        s.put("source", run.source());
        s.put("outcome", outcome);
        if (reason != null) {
            s.put("reason", reason);
        }
        s.put("dry_run", run.dryRun());
        s.put("filter", run.filter());
        s.putAll(run.figures());
        Instant started = run.started();
        s.put("start", started.toString());
        Instant end = Instant.now();
        s.put("end", end.toString());
        s.put("duration_ms", end.toEpochMilli() - started.toEpochMilli());
        Meters.run(run.source().startsWith("sweep") ? "sweep" : "file", end.toEpochMilli() - started.toEpochMilli());
        Map<String, String> reports = new LinkedHashMap<>();
        for (String suffix : new String[] {".results.csv", ".retry.csv", ".undo.csv", ".summary.json"}) {
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

    /** Spreadsheets run cells that start with = + - @ (or tab, CR): prefix them so they show as text. */
    static String safe(String cell) {
        if (cell == null || cell.isEmpty()) {
            return cell;
        }
        char c = cell.charAt(0);
        return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r' ? "'" + cell : cell;
    }
}
