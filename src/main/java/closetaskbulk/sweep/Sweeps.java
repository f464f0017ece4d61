package closetaskbulk.sweep;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import closetaskbulk.close.CloseApi;
import closetaskbulk.run.Row;
import closetaskbulk.run.RowCheck;
import closetaskbulk.run.Run;
import closetaskbulk.run.RunDescription;
import closetaskbulk.run.RunState;
import closetaskbulk.run.Runs;
import closetaskbulk.run.Update;

/**
 * The sweep adapter (routes/sweep.camel.yaml): checks a sweep's definition and opens its run, then turns
 * its listing into rows for route run.
 */
public class Sweeps {

    /** Exchange properties of a sweep run. */
    public static final String RUN_AT = "runAt";
    static final String ID = "sweepId";
    static final String FILTER = "sweepFilter";
    static final String UPDATE = "sweepUpdate";
    static final String TIME_ZONE = "sweepTimeZone";
    static final String DRY_RUN = "sweepDryRun";
    /** Quartz job data of a run fired from the console: "true" for a dry run. */
    static final String DRY_RUN_NOW = "bulkDryRunNow";
    static final String MAX_TASKS = "sweepMaxTasks";

    private static final Logger LOG = LoggerFactory.getLogger(Sweeps.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final SweepSchedule schedule;
    private final int listLimit;
    private final RunState runState;
    private final String runNowId;

    public Sweeps(SweepSchedule schedule, int listLimit, RunState runState, String runNowId) {
        this.schedule = schedule;
        this.listLimit = listLimit;
        this.runState = runState;
        this.runNowId = runNowId == null ? "" : runNowId;
    }

    /** First step of a run: the time it runs at, for ${date-with-timezone:exchangeProperty.runAt-30d:...}. */
    public void clock(Exchange ex) {
        ex.setProperty(RUN_AT, Date.from(schedule.now()));
    }

    /**
     * Step after the clock: checks the definition (evaluated into exchange properties by the route) and describes
     * its run: every call of it carries the sweep's time zone, its batches the sweep's filter.
     */
    public void describe(Exchange ex) {
        String id = ex.getProperty(ID, String.class);
        if (ex.getIn().getHeader("trigger") instanceof org.quartz.Trigger t
                && org.quartz.Scheduler.DEFAULT_RECOVERY_GROUP.equals(t.getKey().getGroup())) {
            LOG.warn("sweep {}: a run was cut short on an instance that died; running it again (Quartz recovery)", id);
        }
        ZoneId zone = SweepDefinition.zone(id, ex.getProperty(TIME_ZONE, "UTC", String.class));
        Map<String, String> filter = SweepDefinition.checkFilter(id, SweepDefinition.parse(ex.getProperty(FILTER, "", String.class)));
        Update update = SweepDefinition.checkUpdate(id, SweepDefinition.parse(ex.getProperty(UPDATE, "", String.class)));
        boolean dryRun = Boolean.parseBoolean(ex.getProperty(DRY_RUN, "false", String.class).trim())
                || ex.getIn().getHeader("mergedJobDataMap") instanceof java.util.Map<?, ?> data
                && "true".equals(data.get(DRY_RUN_NOW));
        Instant at = ex.getProperty(RUN_AT, Date.class).toInstant();
        List<String> cols = RowCheck.updateColumns(update);
        List<String> header = new ArrayList<>();
        header.add("id");
        header.addAll(cols);
        RunDescription run = new RunDescription("sweep-" + id + "-" + STAMP.format(at.atZone(zone)), "sweep " + id)
                .dryRun(dryRun).filter(CloseApi.withType(filter)).tzOffset(SweepDefinition.tzOffset(zone, at))
                .updateColumns(cols).header(header, List.of());
        if (id.equals(runNowId)) {
            run.whenEnded(runState::idle);
        }
        ex.setProperty(RunDescription.PROPERTY, run);
        ex.setProperty(UPDATE, update);
    }

    /** The step after open-run: the open run's listing, not yet started (its calls count in the run). */
    public Listing listing(Exchange ex, @ExchangeProperty(Runs.RUN) Run run) {
        String id = ex.getProperty(ID, String.class);
        if (!run.dryRun()) { // a preview is not the run: catching up still sees a real run missed
            schedule.recordRun(id, ex.getProperty(RUN_AT, Date.class).toInstant());
        }
        Update update = ex.getProperty(UPDATE, Update.class);
        LOG.info("sweep {}: listing tasks where {} to set {}{}", id, run.filter(), update.fields(),
                run.dryRun() ? " (DRY RUN)" : "");
        return new Listing(run, run.filter(), listLimit, Integer.parseInt(ex.getProperty(MAX_TASKS, "10000", String.class).trim()));
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
        if (ids.isEmpty()) {
            LOG.info("{}: no task matches {}: nothing to {}", run.name(), listing.filter(), run.dryRun() ? "plan" : "update");
        } else {
            LOG.info("{}: {} tasks match", run.name(), ids.size());
        }
        return rows;
    }
}
