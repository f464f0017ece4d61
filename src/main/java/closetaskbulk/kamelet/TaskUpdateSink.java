package closetaskbulk.kamelet;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.ObjectHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import closetaskbulk.RunState;
import closetaskbulk.bulk.Batch;
import closetaskbulk.bulk.BulkUpdate;
import closetaskbulk.bulk.CloseCall;
import closetaskbulk.bulk.Run;
import closetaskbulk.bulk.Run.Status;
import closetaskbulk.bulk.Update;
import closetaskbulk.csv.Batcher;
import closetaskbulk.csv.CsvIntake;

/**
 * The Kamelet close-task-bulk-update-sink (kamelets/): one message is one run, like one CSV file. The body
 * holds task ids (text, one or more per line; a list of ids; or a list of maps with "id" and the row's own
 * update), the Kamelet's properties the update. Rows are checked as CSV rows are, batched, sent through
 * direct:queue-batch (read before write, the error routes), and reported under bulk.reports. The reply body
 * is the run's summary.
 *
 * <p>A local bean of the Kamelet: its properties come from the Kamelet's. It runs inside close-task-bulk,
 * whose beans and routes do the work (docs/DECISIONS.md, "The Kamelet").
 */
public class TaskUpdateSink {

    /** Header: the run's report name for this message, instead of the runName property. */
    public static final String RUN_NAME = "CloseTaskRunName";
    static final String STATE = "kameletSinkState";

    private static final Logger LOG = LoggerFactory.getLogger(TaskUpdateSink.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final Set<String> UPDATE_KEYS = Set.of("assigned_to", "date", "is_complete");

    private String runName = "kamelet";
    /** The Kamelet's update values by column (assigned_to, date, is_complete); a row's own values go over them. */
    private final Map<String, String> defaults = new LinkedHashMap<>();
    private boolean dryRun;
    private String authorization;

    /** One row of a message: its id, its update values (null when unset) and what is wrong with it. */
    record Row(String id, Map<String, String> values, String problem) {
    }

    /** One message in progress. */
    static final class State {
        final Run run;
        final List<Row> rows;
        final List<String> columns;

        State(Run run, List<Row> rows, List<String> columns) {
            this.run = run;
            this.rows = rows;
            this.columns = columns;
        }
    }

    public void setRunName(String runName) {
        if (!blank(runName)) {
            this.runName = runName.trim();
        }
    }

    public void setAssignedTo(String assignedTo) {
        setDefault("assigned_to", assignedTo);
    }

    public void setDate(String date) {
        setDefault("date", date);
    }

    public void setIsComplete(String isComplete) {
        setDefault("is_complete", isComplete);
    }

    private void setDefault(String column, String value) {
        if (blank(value)) {
            defaults.remove(column);
        } else {
            defaults.put(column, value.trim());
        }
    }

    public void setDryRun(String dryRun) {
        this.dryRun = !blank(dryRun) && Boolean.parseBoolean(dryRun.trim());
    }

    /** Kept only as the Authorization header, never as text: blank means the bundle's CLOSE_API_KEY. */
    public void setApiKey(String apiKey) {
        this.authorization = blank(apiKey) ? null : CloseCall.basicAuth(apiKey.trim());
    }

    /** Checks the message, opens its run, and returns its batches (the body) for direct:queue-batch. */
    public List<Batch> begin(Exchange ex) throws IOException {
        CamelContext ctx = ex.getContext();
        RunState runState = runState(ctx);
        Path reports = Path.of(ctx.resolvePropertyPlaceholders("{{bulk.reports}}"));
        int batchSize = Integer.parseInt(ctx.resolvePropertyPlaceholders("{{close.batch-size}}").trim());
        boolean dry = dryRun || Boolean.parseBoolean(ctx.resolvePropertyPlaceholders("{{bulk.dry-run:false}}").trim());
        String name = safeName(ex.getIn().getHeader(RUN_NAME, runName, String.class)) + "-"
                + STAMP.format(LocalDateTime.now());
        ex.setProperty(STATE, null);

        List<Row> rows = rows(ex.getIn().getBody());
        Set<String> columns = new LinkedHashSet<>();
        for (String k : List.of("assigned_to", "date", "is_complete")) {
            if (defaults().containsKey(k) || rows.stream().anyMatch(r -> r.values().containsKey(k))) {
                columns.add(k);
            }
        }
        Run run = new Run(name, reports, "kamelet close-task-bulk-update-sink (" + name + ")", dry, Map.of(),
                List.copyOf(columns)).authorization(authorization);
        List<String> header = new ArrayList<>();
        header.add("id");
        header.addAll(columns);
        run.header(header);
        State s = new State(run, rows, List.copyOf(columns));
        ex.setProperty(STATE, s);
        ex.setProperty(BulkUpdate.RUN, run);
        if (rows.isEmpty()) {
            String why = "the message holds no task ids (send text with ids, a list of ids, or a list of maps with "
                    + "an \"id\")";
            run.reject(why);
            runState.rowsNotOk();
            throw new IllegalArgumentException(name + ": " + why);
        }

        Batcher batcher = new Batcher(run, batchSize, Integer.MAX_VALUE);
        Map<String, Integer> seen = new LinkedHashMap<>();
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            int line = i + 1;
            Row r = rows.get(i);
            String problem = r.problem();
            if (problem == null) {
                problem = CsvIntake.checkId(r.id());
            }
            if (problem == null) {
                Integer first = seen.putIfAbsent(r.id(), line);
                if (first != null) {
                    run.duplicate(line, first);
                    continue;
                }
                Map<String, String> v = r.values();
                problem = CsvIntake.checkValues(v.get("assigned_to"), v.get("date"), v.get("is_complete"));
                if (problem == null) {
                    Update u = new Update(v.get("assigned_to"), v.get("date"),
                            v.get("is_complete") == null ? null : CsvIntake.parseBool(v.get("is_complete")));
                    if (u.isEmpty()) {
                        problem = "nothing to change: set assignedTo, date or isComplete on the Kamelet, or the "
                                + "row's assigned_to, date, is_complete";
                    } else {
                        batches.addAll(batcher.add(line, r.id(), u));
                        continue;
                    }
                }
            }
            run.result(line, Status.INVALID, 0, problem);
        }
        batches.addAll(batcher.flush());
        run.total(rows.size());
        LOG.info("{}: {} rows from a Kamelet message, {} batches{}", name, rows.size(), batches.size(),
                dry ? " (DRY RUN)" : "");
        return batches;
    }

    /** Every batch is done: write the reports; the reply body is the summary. */
    public Map<String, Object> finish(Exchange ex) throws IOException {
        State s = ex.getProperty(STATE, State.class);
        Map<String, Object> summary = s.run.finish(visitor -> {
            for (int i = 0; i < s.rows.size(); i++) {
                Row r = s.rows.get(i);
                List<String> cells = new ArrayList<>();
                cells.add(r.id());
                for (String c : s.columns) {
                    cells.add(r.values().getOrDefault(c, ""));
                }
                visitor.row(i + 1, r.id(), cells);
            }
        });
        if (!s.run.allOk()) {
            runState(ex.getContext()).rowsNotOk();
        }
        LOG.info("{}: done, {} rows {}; reports: {}", s.run.name(), summary.get("rows"), s.run.counts(),
                s.run.report(".summary.json"));
        return summary;
    }

    /** The run stopped (a halt, a refused message): a summary saying so, and the error goes back to the sender. */
    public void aborted(Exchange ex) throws Exception {
        Exception e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        State s = ex.getProperty(STATE, State.class);
        RunState runState = ex.getContext().getRegistry().lookupByNameAndType("runState", RunState.class);
        if (s != null && !(e instanceof IllegalArgumentException)) {
            s.run.abort(runState != null && runState.isHalted() ? runState.haltReason() : "internal error: " + e);
        }
        throw e;
    }

    private Map<String, String> defaults() {
        return new LinkedHashMap<>(defaults);
    }

    /** The body as rows: text (ids split on white space, commas, semicolons), ids, or maps with an "id". */
    List<Row> rows(Object body) {
        List<Row> rows = new ArrayList<>();
        if (body == null) {
            return rows;
        }
        if (body instanceof CharSequence || body instanceof byte[]) {
            String text = body instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8)
                    : body.toString();
            for (String id : text.strip().split("[\\s,;]+")) {
                if (!id.isEmpty()) {
                    rows.add(new Row(id, defaults(), null));
                }
            }
            return rows;
        }
        if (!(body instanceof Collection<?> || body instanceof Iterator<?> || body.getClass().isArray())) {
            throw new IllegalArgumentException("a Kamelet message body must be text, a list of task ids or a list of "
                    + "maps with an \"id\", not " + body.getClass().getName());
        }
        Iterator<?> it = ObjectHelper.createIterator(body);
        while (it.hasNext()) {
            Object item = it.next();
            if (item instanceof CharSequence cs) {
                rows.add(new Row(cs.toString().trim(), defaults(), null));
            } else if (item instanceof Map<?, ?> m) {
                rows.add(row(m));
            } else {
                rows.add(new Row(String.valueOf(item), defaults(), "not a task id or a map with an \"id\": "
                        + (item == null ? "null" : item.getClass().getSimpleName())));
            }
        }
        return rows;
    }

    /** A map row: its id, and its own assigned_to/date/is_complete over the Kamelet's (camelCase works too). */
    private Row row(Map<?, ?> m) {
        Map<String, String> values = defaults();
        List<String> unknown = new ArrayList<>();
        String id = "";
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String key = snake(String.valueOf(e.getKey()).trim());
            Object v = e.getValue();
            if (key.equals("id")) {
                id = v == null ? "" : v.toString().trim();
            } else if (UPDATE_KEYS.contains(key)) {
                if (v == null || v.toString().isBlank()) {
                    values.remove(key);
                } else {
                    values.put(key, v.toString().trim());
                }
            } else {
                unknown.add(String.valueOf(e.getKey()));
            }
        }
        String problem = unknown.isEmpty() ? null : "unknown field" + (unknown.size() > 1 ? "s " : " ")
                + String.join(", ", unknown) + " (id, assigned_to, date, is_complete)";
        return new Row(id, values, problem);
    }

    private static String snake(String key) {
        return switch (key) {
            case "assignedTo" -> "assigned_to";
            case "isComplete" -> "is_complete";
            default -> key;
        };
    }

    /** A report name never holds a path: anything but letters, digits, dot, dash and underscore becomes '_'. */
    static String safeName(String name) {
        String s = name == null ? "" : name.trim().replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("^[.]+", "_");
        return s.isEmpty() ? "kamelet" : s.length() > 100 ? s.substring(0, 100) : s;
    }

    private static RunState runState(CamelContext ctx) {
        RunState rs = ctx.getRegistry().lookupByNameAndType("runState", RunState.class);
        if (rs == null || ctx.getRoute("bulk-update") == null) {
            throw new IllegalStateException("the close-task-bulk-update-sink Kamelet runs inside close-task-bulk: "
                    + "put the route that uses it in routes/ (README, \"The Kamelet\")");
        }
        return rs;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
