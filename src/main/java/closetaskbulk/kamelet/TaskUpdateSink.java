package closetaskbulk.kamelet;

import java.io.IOException;
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

import closetaskbulk.close.CloseApi;
import closetaskbulk.run.Row;
import closetaskbulk.run.RunDescription;
import closetaskbulk.run.Runs;

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

    private static final Logger LOG = LoggerFactory.getLogger(TaskUpdateSink.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private String runName = "kamelet";
    /** The Kamelet's update values by column (assigned_to, date, is_complete); a row's own values go over them. */
    private final Map<String, String> defaults = new LinkedHashMap<>();
    private boolean dryRun;
    private String authorization;

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
        this.authorization = blank(apiKey) ? null : CloseApi.basicAuth(apiKey.trim());
    }

    /**
     * Step to-rows: checks the message, describes its run (exchangeProperty.runDescription: route run opens it by
     * the bundle's rules) and returns its rows. A message with no ids, or a body that holds none, is refused
     * whole ({@link #refuse}).
     */
    public Object rows(Exchange ex) throws IOException {
        Runs runs = runs(ex.getContext());
        String name = safeName(ex.getIn().getHeader(RUN_NAME, runName, String.class)) + "-"
                + STAMP.format(LocalDateTime.now());

        List<Row> rows;
        try {
            Object body = ex.getIn().getBody();
            if (body instanceof java.io.InputStream || body instanceof org.apache.camel.StreamCache) {
                body = ex.getIn().getBody(String.class); // an HTTP or file route's body: text
            }
            rows = rows(body);
        } catch (IllegalArgumentException e) {
            return refuse(ex, name, e.getMessage());
        }
        Set<String> columns = new LinkedHashSet<>();
        for (String k : CloseApi.UPDATE_FIELDS) {
            if (rows.stream().anyMatch(r -> r.values().containsKey(k))) {
                columns.add(k);
            }
        }
        List<String> header = new ArrayList<>();
        header.add("id");
        header.addAll(columns);
        RunDescription run = new RunDescription(name, "kamelet close-task-bulk-update-sink (" + name + ")")
                .dryRun(dryRun).authorization(authorization).updateColumns(List.copyOf(columns))
                .header(header, List.of());
        if (rows.isEmpty()) {
            String why = "the message holds no task ids (send text with ids, a list of ids, or a list of maps with "
                    + "an \"id\")";
            runs.refused(run, new Runs.Refusal("rejected", why));
            return refuse(ex, name, why);
        }
        List<Row> withCells = new ArrayList<>(rows.size());
        for (Row r : rows) {
            List<String> cells = new ArrayList<>();
            cells.add(r.id());
            for (String c : columns) {
                cells.add(r.values().getOrDefault(c, ""));
            }
            withCells.add(new Row(r.line(), r.id(), r.values(), cells, r.problem()));
        }
        ex.setProperty(RunDescription.PROPERTY, run);
        LOG.info("{}: {} rows from a Kamelet message", name, rows.size());
        return withCells;
    }

    /**
     * A message the Kamelet cannot take is the sender's mistake: one WARN line, no stack trace. Sent from an HTTP
     * route (platform-http), the answer is a 400 with the reason as text; any other sender gets a
     * {@link Refused} (an IllegalArgumentException).
     */
    private static Object refuse(Exchange ex, String name, String why) {
        LOG.warn("{}: refused: {}", name, why);
        if (ex.getMessage().getHeader(Exchange.HTTP_METHOD) != null) {
            ex.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 400);
            ex.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
            ex.setRouteStop(true); // the sender's route ends here too: its reply is this one
            return name + ": " + why + "\n";
        }
        throw new Refused(name + ": " + why);
    }

    /** A message refused whole (no task ids, or a body that cannot hold them). */
    public static final class Refused extends IllegalArgumentException {
        Refused(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // an expected condition: its line says it all
        }
    }

    private Map<String, String> defaults() {
        return new LinkedHashMap<>(defaults);
    }

    /** The body as rows: text (ids split on white space, commas, semicolons), ids, or maps with an "id". */
    List<Row> rows(Object body) {
        List<Row> rows = new ArrayList<>();
        int[] line = {0};
        if (body == null) {
            return rows;
        }
        if (body instanceof CharSequence || body instanceof byte[]) {
            String text = body instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8)
                    : body.toString();
            for (String id : text.strip().split("[\\s,;]+")) {
                if (!id.isEmpty()) {
                    rows.add(new Row(++line[0], id, defaults(), List.of(), null));
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
                rows.add(new Row(++line[0], cs.toString().trim(), defaults(), List.of(), null));
            } else if (item instanceof Map<?, ?> m) {
                rows.add(row(++line[0], m));
            } else {
                rows.add(new Row(++line[0], String.valueOf(item), defaults(), List.of(), "not a task id or a map "
                        + "with an \"id\": " + (item == null ? "null" : item.getClass().getSimpleName())));
            }
        }
        return rows;
    }

    /** A map row: its id, and its own assigned_to/date/is_complete over the Kamelet's (camelCase works too). */
    private Row row(int line, Map<?, ?> m) {
        Map<String, String> values = defaults();
        List<String> unknown = new ArrayList<>();
        String id = "";
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String key = snake(String.valueOf(e.getKey()).trim());
            Object v = e.getValue();
            if (key.equals("id")) {
                id = v == null ? "" : v.toString().trim();
            } else if (CloseApi.UPDATE_FIELDS.contains(key)) {
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
        return new Row(line, id, values, List.of(), problem);
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

    private static Runs runs(CamelContext ctx) {
        Runs runs = ctx.getRegistry().lookupByNameAndType("runs", Runs.class);
        if (runs == null || ctx.getRoute("run") == null) {
            throw new IllegalStateException("the close-task-bulk-update-sink Kamelet runs inside close-task-bulk: "
                    + "put the route that uses it in routes/ (README, \"The Kamelet\")");
        }
        return runs;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
