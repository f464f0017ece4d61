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

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Route;
import org.apache.camel.component.quartz.QuartzComponent;
import org.quartz.CronExpression;
import org.quartz.JobKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import closetaskbulk.close.CloseApi;
import closetaskbulk.run.Row;
import closetaskbulk.run.RowCheck;
import closetaskbulk.run.Run;
import closetaskbulk.run.RunFailed;
import closetaskbulk.run.RunState;
import closetaskbulk.run.Runs;
import closetaskbulk.run.Update;

/**
 * The sweep adapter (routes/sweep.camel.yaml): checks a sweep's definition and opens its run, then turns
 * its listing into rows for route run. Also runs a sweep now (--sweep) and catches up runs missed while the
 * bundle was down.
 */
public class Sweeps {

    /** Exchange properties of a sweep run. */
    public static final String RUN_AT = "runAt";
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
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Path reportsDir;
    private final Path stateFile;
    private final int batchSize;
    private final int listLimit;
    private final boolean dryRunSetting;
    private final boolean readBeforeWrite;
    private final RunState runState;
    private final String runNowId;
    private volatile Clock clock = Clock.systemUTC();

    public Sweeps(Path reportsDir, Path stateDir, int batchSize, int listLimit, boolean dryRunSetting,
                  boolean readBeforeWrite, RunState runState, String runNowId) {
        this.reportsDir = reportsDir;
        this.stateFile = stateDir.resolve("sweeps.properties");
        this.batchSize = batchSize;
        this.listLimit = listLimit;
        this.dryRunSetting = dryRunSetting;
        this.readBeforeWrite = readBeforeWrite;
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

    /**
     * Step open-sweep: checks the definition (evaluated into exchange properties by the route), opens the run
     * (every call of it carries the sweep's time zone) and returns its listing, not yet started.
     */
    public Listing open(Exchange ex) {
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
        Map<String, String> enriched = CloseApi.withType(filter);
        List<String> cols = RowCheck.updateColumns(update);
        Run run = new Run(name, reportsDir, "sweep " + id, dryRun, enriched, cols).tzOffset(tzOffset(zone, at))
                .readBeforeWrite(readBeforeWrite).batching(batchSize, Integer.MAX_VALUE, listLimit);
        List<String> header = new ArrayList<>();
        header.add("id");
        header.addAll(cols);
        run.header(header);
        if (id.equals(runNowId)) {
            run.onEnd(runState::idle);
        }
        ex.setProperty(Runs.RUN, run);
        ex.setProperty(UPDATE, update);
        recordRun(id, at);
        LOG.info("sweep {}: listing tasks where {} to set {}{}", id, enriched, update.fields(), dryRun ? " (DRY RUN)" : "");
        return new Listing(run, enriched, listLimit, maxTasks);
    }

    /** Step listing-failed: the listing failed for good (after retries): the run fails, nothing was sent. */
    public void listingFailed(Listing listing) {
        throw new RunFailed("failed", "listing the tasks failed, nothing was sent: " + listing.failure());
    }

    /** Step over-cap: more tasks match than max-tasks: a summary that says so, and nothing is sent. */
    public void overCap(Listing listing) throws IOException {
        String why = "found more than " + listing.maxTasks() + " matching tasks (at least " + listing.ids().size()
                + "), over this sweep's cap of " + listing.maxTasks() + " (max-tasks): nothing was sent";
        LOG.error("{}: {}", listing.run().name(), why);
        listing.run().reject(why);
        runState.rowsNotOk();
    }

    /** Step to-rows: every listed id becomes a row with the sweep's update, for route run. */
    public List<Row> rows(Listing listing, @ExchangeProperty(UPDATE) Update update) {
        Run run = listing.run();
        Map<String, String> values = new LinkedHashMap<>();
        update.fields().forEach((k, v) -> values.put(k, String.valueOf(v)));
        List<String> ids = listing.ids();
        List<Row> rows = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            List<String> cells = new ArrayList<>();
            cells.add(ids.get(i));
            cells.addAll(values.values());
            rows.add(new Row(i + 1, ids.get(i), values, cells, null));
        }
        run.total(rows.size());
        run.rows(visitor -> {
            for (Row r : rows) {
                visitor.row(r.line(), r.id(), r.cells());
            }
        });
        LOG.info("{}: {} tasks match", run.name(), ids.size());
        return rows;
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
            if (!CloseApi.isFilter(k)) {
                throw new SweepDefinitionException("sweep " + id + ": '" + k + "' is not a Close task filter");
            }
        }
        return filter;
    }

    /** A sweep must change something, with values Close accepts. */
    public static Update checkUpdate(String id, Map<String, String> u) {
        for (String k : u.keySet()) {
            if (!CloseApi.UPDATE_FIELDS.contains(k)) {
                throw new SweepDefinitionException("sweep " + id + ": cannot update '" + k
                        + "' (assigned_to, date, is_complete)");
            }
        }
        String problem = RowCheck.checkValues(u.get("assigned_to"), u.get("date"), u.get("is_complete"));
        if (problem != null) {
            throw new SweepDefinitionException("sweep " + id + ": " + problem);
        }
        Update update = new Update(u.get("assigned_to"), u.get("date"),
                u.containsKey("is_complete") ? RowCheck.parseBool(u.get("is_complete")) : null);
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
