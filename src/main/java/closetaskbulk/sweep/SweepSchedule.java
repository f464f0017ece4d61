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
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.quartz.QuartzComponent;
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

    /** A sweep's route is sweep-&lt;id&gt; (routes/sweep.camel.yaml); its Quartz job is &lt;id&gt; in this group. */
    /** A sweep's route is its id with this before it (routes/sweep.camel.yaml's template). */
    public static final String ROUTE_PREFIX = "sweep-";
    static final String GROUP = "sweeps";

    private static final Logger LOG = LoggerFactory.getLogger(SweepSchedule.class);

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

    /** Fires, once, every started sweep whose schedule passed since its last recorded run. */
    public void catchUp(CamelContext context, Map<String, String> runMissed) throws Exception {
        Properties last = lastRuns();
        Date now = Date.from(now());
        for (Route r : context.getRoutes()) {
            String routeId = r.getRouteId();
            if (!routeId.startsWith(ROUTE_PREFIX) || !context.getRouteController().getRouteStatus(routeId).isStarted()) {
                continue;
            }
            String id = routeId.substring(ROUTE_PREFIX.length());
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
