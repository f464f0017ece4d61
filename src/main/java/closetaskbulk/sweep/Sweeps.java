package closetaskbulk.sweep;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.component.quartz.QuartzComponent;
import org.quartz.CronExpression;
import org.quartz.JobKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import closetaskbulk.RunState;
import closetaskbulk.bulk.Batch;
import closetaskbulk.bulk.CloseCall;
import closetaskbulk.bulk.Run;
import closetaskbulk.bulk.Update;
import closetaskbulk.csv.Batcher;
import closetaskbulk.csv.CsvIntake;

/**
 * The steps of a sweep route (routes/sweep.camel.yaml): list every task the filter matches, page by page,
 * before any write; then feed the ids to direct:bulk-update in batches, and write the reports. Also runs
 * a sweep now (--sweep) and catches up runs missed while the bundle was down.
 */
public class Sweeps {

    /** Exchange properties of a sweep run. */
    public static final String RUN_AT = "runAt";
    static final String STATE = "sweepState";
    static final String ID = "sweepId";
    static final String FILTER = "sweepFilter";
    static final String UPDATE = "sweepUpdate";
    static final String TIME_ZONE = "sweepTimeZone";
    static final String DRY_RUN = "sweepDryRun";
    static final String MAX_TASKS = "sweepMaxTasks";
    static final String GROUP = "sweeps";
    /** List parameters the sweep itself sets: a filter may not. */
    static final Set<String> RESERVED = Set.of("_fields", "_order_by", "_skip", "_limit", "id", "id__in");

    private static final Logger LOG = LoggerFactory.getLogger(Sweeps.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    /** One sweep run in progress. */
    static final class State {
        final Run run;
        final String id;
        final Map<String, String> filter;
        final Update update;
        final int maxTasks;
        final List<String> ids = new ArrayList<>();
        int skip;
        boolean more = true;
        boolean capped;

        State(Run run, String id, Map<String, String> filter, Update update, int maxTasks) {
            this.run = run;
            this.id = id;
            this.filter = filter;
            this.update = update;
            this.maxTasks = maxTasks;
        }
    }

    private final Path reportsDir;
    private final Path stateFile;
    private final int batchSize;
    private final int listLimit;
    private final boolean dryRunSetting;
    private final RunState runState;
    private final String runNowId;
    private volatile Clock clock = Clock.systemUTC();

    public Sweeps(Path reportsDir, Path stateDir, int batchSize, int listLimit, boolean dryRunSetting,
                  RunState runState, String runNowId) {
        this.reportsDir = reportsDir;
        this.stateFile = stateDir.resolve("sweeps.properties");
        this.batchSize = batchSize;
        this.listLimit = listLimit;
        this.dryRunSetting = dryRunSetting;
        this.runState = runState;
        this.runNowId = runNowId == null ? "" : runNowId;
    }

    /** Tests fix the clock that relative dates (exchangeProperty.runAt) are computed from. */
    public void setClock(Clock clock) {
        this.clock = clock;
    }

    /** First step of a run: the time it runs at, for ${date-with-timezone:exchangeProperty.runAt-30d:...}. */
    public void clock(Exchange ex) {
        ex.setProperty(RUN_AT, Date.from(clock.instant()));
    }

    /** Checks the definition (evaluated into exchange properties by the route) and opens the run. */
    public void begin(Exchange ex) {
        String id = ex.getProperty(ID, String.class);
        if (ex.getIn().getHeader("trigger") instanceof org.quartz.Trigger t
                && org.quartz.Scheduler.DEFAULT_RECOVERY_GROUP.equals(t.getKey().getGroup())) {
            LOG.warn("sweep {}: a run was cut short on an instance that died; running it again (Quartz recovery)", id);
        }
        ZoneId zone = zone(id, ex.getProperty(TIME_ZONE, "UTC", String.class));
        Map<String, String> filter = checkFilter(id, parse(ex.getProperty(FILTER, "", String.class)));
        Update update = checkUpdate(id, parse(ex.getProperty(UPDATE, "", String.class)));
        boolean dryRun = dryRunSetting || Boolean.parseBoolean(ex.getProperty(DRY_RUN, "false", String.class).trim());
        int maxTasks = Integer.parseInt(ex.getProperty(MAX_TASKS, "10000", String.class).trim());
        Instant at = ex.getProperty(RUN_AT, Date.class).toInstant();
        String name = "sweep-" + id + "-" + STAMP.format(at.atZone(zone));
        Map<String, String> enriched = new LinkedHashMap<>(filter);
        if (!enriched.containsKey("_type") && !enriched.containsKey("_type__in")) {
            enriched.put("_type", "all");
        }
        List<String> cols = CsvIntake.updateColumns(update);
        Run run = new Run(name, reportsDir, "sweep " + id, dryRun, enriched, cols);
        List<String> header = new ArrayList<>();
        header.add("id");
        header.addAll(cols);
        run.header(header);
        ex.setProperty(STATE, new State(run, id, enriched, update, maxTasks));
        ex.setProperty(closetaskbulk.bulk.BulkUpdate.RUN, run); // list calls count in its summary
        ex.setProperty(CloseCall.TZ_OFFSET, tzOffset(zone, at));
        recordRun(id, at);
        LOG.info("sweep {}: listing tasks where {} to set {}{}", id, enriched, update.fields(), dryRun ? " (DRY RUN)" : "");
    }

    public boolean morePages(Exchange ex) {
        State s = ex.getProperty(STATE, State.class);
        return s.more && !s.capped;
    }

    /** The next list call: the filter in _params, a stable order, one page. */
    public void nextPage(Exchange ex) throws JsonProcessingException {
        State s = ex.getProperty(STATE, State.class);
        Map<String, Object> params = new LinkedHashMap<>(s.filter);
        params.put("_fields", "id,assigned_to,date,is_complete");
        params.put("_order_by", "date_created");
        params.put("_skip", s.skip);
        params.put("_limit", listLimit);
        ex.setProperty(CloseCall.GROUP, "read");
        ex.setProperty(CloseCall.METHOD, "POST");
        ex.setProperty(CloseCall.REQUEST, JSON.writeValueAsString(Map.of("_params", params)));
    }

    public void afterPage(Exchange ex) throws JsonProcessingException {
        State s = ex.getProperty(STATE, State.class);
        JsonNode page = JSON.readTree(ex.getIn().getBody(String.class));
        for (JsonNode t : page.path("data")) {
            s.ids.add(t.path("id").asText());
        }
        s.skip += page.path("data").size();
        s.more = page.path("has_more").asBoolean() && page.path("data").size() > 0;
        if (s.ids.size() > s.maxTasks) {
            s.capped = true;
        }
    }

    /** After listing every match: the batches to send, or none when over the cap. */
    public List<Batch> batches(Exchange ex) {
        State s = ex.getProperty(STATE, State.class);
        if (s.capped) {
            return List.of();
        }
        Batcher batcher = new Batcher(s.run, batchSize, Integer.MAX_VALUE);
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i < s.ids.size(); i++) {
            out.addAll(batcher.add(i + 1, s.ids.get(i), s.update));
        }
        out.addAll(batcher.flush());
        LOG.info("sweep {}: {} tasks match; {} batches", s.id, s.ids.size(), out.size());
        s.run.total(s.ids.size());
        return out;
    }

    /** Reports; over the cap, a summary that says so and nothing else. */
    public void finish(Exchange ex) throws IOException {
        State s = ex.getProperty(STATE, State.class);
        Map<String, Object> summary;
        if (s.capped) {
            String why = "found more than " + s.maxTasks + " matching tasks (at least " + s.ids.size()
                    + "), over this sweep's cap of " + s.maxTasks + " (max-tasks): nothing was sent";
            summary = s.run.reject(why);
            LOG.error("sweep {}: {}", s.id, why);
            runState.rowsNotOk();
        } else {
            summary = s.run.finish(visitor -> {
                for (int i = 0; i < s.ids.size(); i++) {
                    visitor.row(i + 1, s.ids.get(i), cells(s, s.ids.get(i)));
                }
            });
            if (!s.run.allOk()) {
                runState.rowsNotOk();
            }
            LOG.info("sweep {}: done, {} tasks {}; reports: {}", s.id, summary.get("rows"), s.run.counts(),
                    s.run.report(".summary.json"));
        }
        ranNow(s.id);
    }

    /** The run stopped: after a halt, a summary saying so; else an internal error. */
    public void aborted(Exchange ex) throws IOException {
        Exception e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        State s = ex.getProperty(STATE, State.class);
        String id = ex.getProperty(ID, String.class);
        if (e instanceof SweepDefinitionException) {
            LOG.error("sweep {} refused: {}", id, e.getMessage());
            runState.configError(e.getMessage());
        } else if (runState.isHalted()) {
            if (s != null) {
                s.run.abort(runState.haltReason());
            }
        } else {
            runState.internalError("sweep " + id + ": " + e);
            LOG.error("sweep {}: stopped by an internal error", id, e);
            if (s != null) {
                s.run.abort("internal error: " + e);
            }
        }
        ranNow(id);
    }

    private void ranNow(String id) {
        if (id != null && id.equals(runNowId)) {
            runState.idle();
        }
    }

    private static List<String> cells(State s, String id) {
        List<String> cells = new ArrayList<>();
        cells.add(id);
        Map<String, Object> f = s.update.fields();
        for (String col : CsvIntake.updateColumns(s.update)) {
            cells.add(String.valueOf(f.get(col)));
        }
        return cells;
    }

    /** --sweep id: start that sweep's route if it is off, and fire its job now. */
    public void runNow(CamelContext context, String id) throws Exception {
        Route route = context.getRoute("sweep-" + id);
        if (route == null) {
            Set<String> known = new TreeSet<>();
            context.getRoutes().forEach(r -> {
                if (r.getRouteId().startsWith("sweep-")) {
                    known.add(r.getRouteId().substring(6));
                }
            });
            runState.configError("no sweep named '" + id + "' (routes/sweeps/ defines: "
                    + (known.isEmpty() ? "none" : String.join(", ", known)) + ")");
            return;
        }
        context.getRouteController().startRoute(route.getRouteId());
        trigger(context, id);
    }

    /** Fires, once, every started sweep whose schedule passed since its last recorded run. */
    public void catchUp(CamelContext context, Map<String, String> runMissed) throws Exception {
        Properties last = lastRuns();
        Date now = Date.from(clock.instant());
        for (Route r : context.getRoutes()) {
            String routeId = r.getRouteId();
            if (!routeId.startsWith("sweep-") || !context.getRouteController().getRouteStatus(routeId).isStarted()) {
                continue;
            }
            String id = routeId.substring(6);
            String lastRun = last.getProperty(id);
            String cron = runMissed.get(id);
            if (lastRun == null || cron == null) {
                continue; // never ran here, or catching up is off for it
            }
            String[] parts = cron.split("\\|", 2);
            CronExpression expr = new CronExpression(parts[0]);
            expr.setTimeZone(java.util.TimeZone.getTimeZone(parts.length > 1 ? parts[1] : "UTC"));
            Date next = expr.getNextValidTimeAfter(Date.from(Instant.parse(lastRun)));
            if (next != null && next.before(now)) {
                LOG.warn("sweep {}: its run of {} was missed while the bundle was down; running it once now", id, next.toInstant());
                trigger(context, id);
            }
        }
    }

    private static void trigger(CamelContext context, String id) throws Exception {
        context.getComponent("quartz", QuartzComponent.class).getScheduler().triggerJob(JobKey.jobKey(id, GROUP));
    }

    private synchronized void recordRun(String id, Instant at) {
        Properties p = lastRuns();
        p.setProperty(id, at.toString());
        try {
            Files.createDirectories(stateFile.getParent());
            Path tmp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(w, "last run of each sweep (for catching up missed runs)");
            }
            Files.move(tmp, stateFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("cannot record the run of sweep {} in {}: {}", id, stateFile, e.toString());
        }
    }

    private Properties lastRuns() {
        Properties p = new Properties();
        if (Files.isRegularFile(stateFile)) {
            try (Reader r = Files.newBufferedReader(stateFile, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                LOG.warn("cannot read {}: {}", stateFile, e.toString());
            }
        }
        return p;
    }

    /** "a=1&b=2" into a map; blank values are dropped. */
    public static Map<String, String> parse(String query) {
        Map<String, String> m = new LinkedHashMap<>();
        if (query == null) {
            return m;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && !pair.substring(eq + 1).isBlank()) {
                m.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return m;
    }

    /** A sweep must select something, and only with Close's list filters. */
    public static Map<String, String> checkFilter(String id, Map<String, String> filter) {
        Map<String, String> selectors = new LinkedHashMap<>(filter);
        selectors.keySet().removeIf(k -> k.startsWith("_"));
        if (selectors.isEmpty()) {
            throw new SweepDefinitionException("sweep " + id + " has no filter: an empty filter would match every "
                    + "task of the organization; set sweep." + id + ".filter (e.g. is_complete=false&assigned_to=user_…)");
        }
        for (String k : filter.keySet()) {
            if (RESERVED.contains(k)) {
                throw new SweepDefinitionException("sweep " + id + ": the filter may not set " + k
                        + " (the sweep pages and batches by itself)");
            }
            if (!closetaskbulk.Bundle.isCloseFilter(k)) {
                throw new SweepDefinitionException("sweep " + id + ": '" + k + "' is not a Close task filter");
            }
        }
        return filter;
    }

    /** A sweep must change something, with values Close accepts. */
    public static Update checkUpdate(String id, Map<String, String> u) {
        for (String k : u.keySet()) {
            if (!Set.of("assigned_to", "date", "is_complete").contains(k)) {
                throw new SweepDefinitionException("sweep " + id + ": cannot update '" + k
                        + "' (assigned_to, date, is_complete)");
            }
        }
        String problem = CsvIntake.checkValues(u.get("assigned_to"), u.get("date"), u.get("is_complete"));
        if (problem != null) {
            throw new SweepDefinitionException("sweep " + id + ": " + problem);
        }
        Update update = new Update(u.get("assigned_to"), u.get("date"),
                u.containsKey("is_complete") ? CsvIntake.parseBool(u.get("is_complete")) : null);
        if (update.isEmpty()) {
            throw new SweepDefinitionException("sweep " + id + " has no update: set at least one of sweep." + id
                    + ".assigned-to, .date, .is-complete");
        }
        return update;
    }

    static ZoneId zone(String id, String tz) {
        try {
            return ZoneId.of(tz.trim());
        } catch (RuntimeException e) {
            throw new SweepDefinitionException("sweep " + id + ": time zone '" + tz + "' is unknown (e.g. Europe/Berlin, UTC)");
        }
    }

    /** x-tz-offset for the zone at the run time, in hours: 1, -8, 5.5. */
    static String tzOffset(ZoneId zone, Instant at) {
        int seconds = zone.getRules().getOffset(at).getTotalSeconds();
        double hours = seconds / 3600.0;
        return hours == Math.rint(hours) ? String.valueOf((int) hours) : String.format(Locale.ROOT, "%s", hours);
    }
}
