package closetaskbulk.sweep;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.quartz.CronExpression;
import org.quartz.JobKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import closetaskbulk.run.RunState;

/**
 * When sweeps run outside their cron: now (--sweep), and once at start-up for a run missed while the bundle
 * was down (the last run of each sweep is kept in bulk.state/sweeps.properties).
 */
public class SweepSchedule {

    /** A sweep's route is its id with this before it (routes/sweep.camel.yaml's template). */
    public static final String ROUTE_PREFIX = "sweep-";
    static final String GROUP = "sweeps";

    private static final Logger LOG = LoggerFactory.getLogger(SweepSchedule.class);
    /** Template parameters and the sweep.&lt;id&gt;.* settings of the same meaning. */
    private static final Map<String, String> SETTINGS = Map.of("cron", "cron", "timeZone", "time-zone", "filter", "filter",
            "assignedTo", "assigned-to", "date", "date", "isComplete", "is-complete", "dryRun", "dry-run",
            "maxTasks", "max-tasks", "runMissed", "run-missed");

    private final Path stateFile;
    private final RunState runState;
    private volatile Clock clock = Clock.systemUTC();

    public SweepSchedule(Path stateDir, RunState runState) {
        this.stateFile = stateDir.resolve("sweeps.properties");
        this.runState = runState;
    }

    /** Tests fix the clock that runs and relative dates (exchangeProperty.runAt) are computed from. */
    public void setClock(Clock clock) {
        this.clock = clock;
    }

    Instant now() {
        return clock.instant();
    }

    /** --sweep id: start that sweep's route if it is off, and fire its job now. */
    public void runNow(CamelContext context, String id) throws Exception {
        Route route = context.getRoute(ROUTE_PREFIX + id);
        if (route == null) {
            Set<String> known = new TreeSet<>();
            context.getRoutes().forEach(r -> {
                if (r.getRouteId().startsWith(ROUTE_PREFIX)) {
                    known.add(r.getRouteId().substring(ROUTE_PREFIX.length()));
                }
            });
            runState.configError("no sweep named '" + id + "' (routes/sweeps/ defines: "
                    + (known.isEmpty() ? "none" : String.join(", ", known)) + ")");
            return;
        }
        context.getRouteController().startRoute(route.getRouteId());
        trigger(context, id);
    }

    /**
     * A sweep as its route was made from the template: every parameter, placeholders resolved, defaults filled
     * in. The one place the console, catch-up and the checks read a sweep from, wherever its values live (inline
     * in its YAML file or as sweep.&lt;id&gt;.* settings).
     */
    public static Map<String, String> definition(CamelContext context, String id) {
        RouteDefinition def = context.getCamelContextExtension().getContextPlugin(Model.class)
                .getRouteDefinition(ROUTE_PREFIX + id);
        Map<String, String> m = new LinkedHashMap<>(Map.of("timeZone", "UTC", "dryRun", "false", "maxTasks", "10000",
                "enabled", "false", "runMissed", "true"));
        if (def != null && def.getTemplateParameters() != null) {
            def.getTemplateParameters().forEach((k, v) -> {
                String value = v == null ? null : context.resolvePropertyPlaceholders(String.valueOf(v));
                if (value != null && !value.isBlank()) { // an optional placeholder ({{?key}}) may resolve to nothing
                    m.put(k, value.trim());
                }
            });
        }
        // a parameter the file does not pass: its sweep.<id>.* setting, as the README's recipe names them
        SETTINGS.forEach((param, key) -> {
            if (def != null && (def.getTemplateParameters() == null || !def.getTemplateParameters().containsKey(param))) {
                String value = context.resolvePropertyPlaceholders("{{?sweep." + id + "." + key + "}}");
                if (value != null && !value.isBlank()) {
                    m.put(param, value.trim());
                }
            }
        });
        return m;
    }

    /** The ids of the sweeps made from the template. */
    public static Set<String> ids(CamelContext context) {
        Set<String> ids = new TreeSet<>();
        context.getRoutes().forEach(r -> {
            if (r.getRouteId().startsWith(ROUTE_PREFIX)) {
                ids.add(r.getRouteId().substring(ROUTE_PREFIX.length()));
            }
        });
        return ids;
    }

    /**
     * Every sweep's definition can run: a Quartz cron, a known time zone, Close's list filters only (a task type
     * Close does not document is a WARN), an update. At start-up and at every route reload.
     */
    public static void check(CamelContext context) {
        for (String id : ids(context)) {
            Map<String, String> d = definition(context, id);
            String cron = d.getOrDefault("cron", "");
            if (!CronExpression.isValidExpression(cron)) {
                throw new SweepDefinitionException("sweep " + id + ": cron '" + cron + "' is not a Quartz cron: e.g. '0 0 2 * * ?' (02:00 every day)");
            }
            SweepDefinition.zone(id, d.get("timeZone"));
            Map<String, String> filter = SweepDefinition.checkFilter(id, SweepDefinition.parse(d.getOrDefault("filter", "")));
            SweepDefinition.warnUnknownTypes(id, filter);
            Map<String, String> update = new LinkedHashMap<>();
            for (String[] p : new String[][] {{"assignedTo", "assigned_to"}, {"date", "date"}, {"isComplete", "is_complete"}}) {
                if (d.containsKey(p[0])) {
                    update.put(p[1], d.get(p[0]));
                }
            }
            if (update.isEmpty()) {
                SweepDefinition.checkUpdate(id, update); // names what to set
            }
            update.values().removeIf(v -> v.contains("${")); // relative values are checked when they run
            if (!update.isEmpty()) {
                SweepDefinition.checkUpdate(id, update);
            }
        }
    }

    /** Fires, once, every started sweep whose schedule passed since its last recorded run (unless runMissed is false). */
    public void catchUp(CamelContext context) throws Exception {
        Properties last = lastRuns();
        Date now = Date.from(now());
        for (String id : ids(context)) {
            String routeId = ROUTE_PREFIX + id;
            String lastRun = last.getProperty(id);
            Map<String, String> d = definition(context, id);
            if (lastRun == null || !context.getRouteController().getRouteStatus(routeId).isStarted()
                    || !Boolean.parseBoolean(d.get("runMissed"))) {
                continue; // never ran here, off, or catching up is off for it
            }
            CronExpression expr = new CronExpression(d.get("cron"));
            expr.setTimeZone(java.util.TimeZone.getTimeZone(d.get("timeZone")));
            Date next = expr.getNextValidTimeAfter(Date.from(Instant.parse(lastRun)));
            if (next != null && next.before(now) && !quartzFires(context, id, next)) {
                LOG.warn("sweep {}: its run of {} was missed while the bundle was down; running it once now", id, next.toInstant());
                trigger(context, id);
            }
        }
    }

    /**
     * Quartz fires (or fired) the cron time {@code at} itself: its trigger starts half a second after the route,
     * before this catch-up runs, so a cron time in between would otherwise run twice (seen: twice in one second).
     */
    private static boolean quartzFires(CamelContext context, String id, Date at) throws Exception {
        var scheduler = context.getComponent("quartz", QuartzComponent.class).getScheduler();
        for (org.quartz.Trigger t : scheduler.getTriggersOfJob(JobKey.jobKey(id, GROUP))) {
            Date fired = t.getPreviousFireTime();
            Date fires = t.getNextFireTime();
            if (fired != null && !fired.before(at) || fires != null && !fires.after(at)) {
                return true;
            }
        }
        return false;
    }

    private static void trigger(CamelContext context, String id) throws Exception {
        context.getComponent("quartz", QuartzComponent.class).getScheduler().triggerJob(JobKey.jobKey(id, GROUP));
    }

    /** The console's "Run now" and "Dry run now" of a sweep whose route runs (it is enabled). */
    public void fire(CamelContext context, String id, boolean dryRun) throws Exception {
        org.quartz.JobDataMap data = new org.quartz.JobDataMap();
        data.put(Sweeps.DRY_RUN_NOW, String.valueOf(dryRun));
        context.getComponent("quartz", QuartzComponent.class).getScheduler().triggerJob(JobKey.jobKey(id, GROUP), data);
    }

    /** When the sweep last ran here, or null. */
    public String lastRun(String id) {
        return lastRuns().getProperty(id);
    }

    synchronized void recordRun(String id, Instant at) {
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
}
