package closetaskbulk.run;

import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Headers;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import closetaskbulk.close.CloseHalt;

/**
 * The steps of route run that hold state: batching a run's rows, waiting for its batches, its reports, and
 * how it ends when something stops it. Every source's run goes through these, once.
 */
public class Runs {

    /** Exchange property: the run an adapter opened, for route run. */
    public static final String RUN = "run";
    /** Header of step batch-row: why batches were cut at this row, {@code full} or {@code max-open}. */
    public static final String BATCH_CUT = "batchCut";

    private static final Logger LOG = LoggerFactory.getLogger(Runs.class);
    private static final Logger PROGRESS = LoggerFactory.getLogger("closetaskbulk.progress");

    private final RunState runState;
    private volatile RunRules rules;
    private final Map<String, Run> live = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Run, Batcher> batchers = new java.util.concurrent.ConcurrentHashMap<>();

    public Runs(RunState runState, RunRules rules) {
        this.runState = runState;
        this.rules = rules;
    }

    /**
     * Step run-opens (route open-run): the run its adapter described opens, by the one set of rules, and is
     * under way (the console lists it with its progress until it ends).
     */
    public void open(@ExchangeProperty(RunDescription.PROPERTY) RunDescription description, Exchange ex) {
        if (description == null) {
            throw new IllegalStateException("a run is handed over with its description (exchangeProperty."
                    + RunDescription.PROPERTY + ")");
        }
        Run run = rules.open(description);
        ex.setProperty(RUN, run);
        live.put(run.base(), run);
        batchers.put(run, rules.batcher(run));
        if (run.dryRun()) {
            LOG.info("{}: DRY RUN: Close is read, nothing is written", run.name());
        }
    }

    /** Step rows-counted: rows handed over as a list (a sweep's, a Kamelet message's) are counted, and walked again for the reports. */
    public void counted(@ExchangeProperty(RUN) Run run, Exchange ex) {
        if (run.rows() == null && ex.getIn().getBody() instanceof List<?> rows) {
            run.total(rows.size());
            run.rows(visitor -> {
                for (Object o : rows) {
                    Row r = (Row) o;
                    visitor.row(r.line(), r.id(), r.cells());
                }
            });
        }
    }

    /** Route list-users: the organization's users to list for this run (once). */
    public UserList userList(@ExchangeProperty(RUN) Run run) {
        return new UserList(run);
    }

    /** Why a source's run is refused whole: the summary's outcome and reason (exchange property {@link #REFUSAL}). */
    public record Refusal(String outcome, String reason) {
    }

    /** Exchange property: the {@link Refusal} of the described run, for step refusal-summary. */
    public static final String REFUSAL = "runRefusal";

    /**
     * Step refusal-summary (route run-refused): a source refused whole before any request (a rejected file, one
     * processed before, a message with no ids): a run opened by the same rules ends at once with a summary
     * that says why, which is the body.
     */
    public Map<String, Object> refused(@ExchangeProperty(RunDescription.PROPERTY) RunDescription description,
                                       @ExchangeProperty(REFUSAL) Refusal refusal) throws java.io.IOException {
        Map<String, Object> summary = rules.summaryOnly(description).close(refusal.outcome(), refusal.reason());
        runState.rowsNotOk();
        return summary;
    }

    /** Runs opened from now on keep their journals in this store (a test's that fails). */
    public void useJournals(Journal.Store journals) {
        rules = new RunRules(rules.reportsDir(), rules.batchSize(), rules.maxOpenBatches(),
                rules.listLimit(), rules.filter(), rules.readBeforeWrite(), rules.dryRun(), rules.progressMs(), journals,
                rules.told());
    }

    /** The runs under way, by report name. */
    public Map<String, Run> live() {
        return Map.copyOf(live);
    }

    /**
     * Step batch-row: a good row joins the open batch of its update. When that cuts batches, header
     * {@value #BATCH_CUT} says why, and the body is the batches cut: {@code full} (the row's batch reached
     * close.batch-size), or {@code max-open} (the row opened an update past bulk.max-open-batches: the oldest
     * open batch leaves early, and the row's own if also full). Most rows cut none: no header, an empty body.
     */
    public List<Batch> add(Row row, @ExchangeProperty(RUN) Run run, @Headers Map<String, Object> headers) {
        if (runState.isHalted()) { // stop reading: nothing more will be sent
            throw new CloseHalt(0, runState.haltReason());
        }
        if (run.writeFailure() != null) { // a batch could not be recorded: stop reading, keep the input
            throw run.writeFailure();
        }
        if ((row.line() & 1023) == 0) {
            run.progress(PROGRESS);
        }
        List<Batch> cut = batchers.get(run).add(row.line(), row.id(), row.update(), row.expected(),
                run.carriedCells(row.cells()));
        if (!cut.isEmpty()) {
            // an early batch never holds the row's update: that one had no open batch
            headers.put(BATCH_CUT, cut.get(0).update().equals(row.update()) ? "full" : "max-open");
        }
        return cut;
    }

    /** Step last-batches: the partial batches at the end of the input. */
    public List<Batch> flush(@ExchangeProperty(RUN) Run run) {
        return batchers.remove(run).flush();
    }

    /** Step batch-taken (route batch-worker): the run counts the batch done, however it ends. */
    public void take(Exchange ex) {
        Batch batch = ex.getIn().getBody(Batch.class);
        batch.run().waits().taken();
        ex.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                if (done.getException() != null && isWriteFailure(done.getException())) {
                    batch.run().writeFailed(done.getException()); // Close may have confirmed it: the run stops
                }
                batch.run().waits().completed();
            }
        });
    }

    /**
     * Step wait-for-batches: every batch queued is done. After a halt the batches still queued end at once
     * (no call starts), and those in flight get their answer, so the reports hold every confirmed batch.
     */
    public void await(@ExchangeProperty(RUN) Run run) throws InterruptedException {
        waitForBatches(run);
        if (runState.isHalted()) {
            throw new CloseHalt(0, runState.haltReason());
        }
        if (run.writeFailure() != null) { // the journal or the undo file could not be written: the input stays
            throw run.writeFailure();
        }
    }

    /** Step write-reports: results, retry, undo and summary; the summary is the body. */
    public Map<String, Object> finish(@ExchangeProperty(RUN) Run run) throws Exception {
        Map<String, Object> summary;
        try {
            summary = run.finish();
        } finally {
            live.remove(run.base());
            batchers.remove(run);
        }
        if (!run.results().allOk()) {
            runState.rowsNotOk();
        }
        LOG.info("{}: done, {} rows {}; {} requests; reports: {}", run.name(), summary.get("rows"),
                nonZero(run.results().counts()), ((Map<?, ?>) summary.get("requests")).get("total"),
                String.join(", ", ((Map<?, ?>) summary.get("reports")).values().stream().map(String::valueOf).toList()));
        return summary;
    }

    /**
     * The run was stopped (route run's onException, or an adapter's): after the batches in flight are done,
     * its summary says why. A halt is the halt; a {@link RunFailed} is an expected failure (exit 1); anything
     * else an internal error (exit 3). A run ends once.
     */
    public void stopped(Exchange ex) {
        Run run = ex.getProperty(RUN, Run.class);
        Throwable e = ex.getException() != null ? ex.getException()
                : ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (e instanceof RunFailed failed && failed.badSetting()) {
            LOG.error("{}", e.getMessage());
            runState.configError(e.getMessage());
        }
        if (run == null) { // stopped before its run opened: the source's own line says a fault or a refusal
            if (!(e instanceof RunFailed) && !(e instanceof CloseHalt) && !runState.isHalted() && !isWriteFailure(e)) {
                beforeItOpened(ex, e);
            }
            return;
        }
        if (run.ended()) {
            return;
        }
        live.remove(run.base());
        batchers.remove(run);
        if (run.journal() != null) {
            run.journal().close(); // kept: a restart resumes from it
        }
        try {
            waitForBatches(run);
            if (runState.isHalted()) {
                run.abort(runState.haltReason());
            } else if (e instanceof RunFailed failed) {
                LOG.error("{}: {}", run.name(), e.getMessage());
                run.close(failed.outcome(), e.getMessage());
                runState.rowsNotOk();
            } else if (isWriteFailure(e)) {
                LOG.error("{}: cannot write its reports or state ({}). Its input is kept and finished when that "
                        + "is fixed; batches Close confirmed are not sent again.", run.name(), rootMessage(e));
                runState.fault();
            } else {
                runState.internalError(run.name() + ": " + e);
                LOG.error("{}: stopped by an internal error", run.name(), e);
                run.abort("internal error: " + e);
            }
        } catch (Exception failed) {
            LOG.warn("{}: cannot write its summary: {}", run.name(), failed.toString());
        }
    }

    /** An internal error before the run opened: one line with the trace, and a summary when the run was described. */
    private void beforeItOpened(Exchange ex, Throwable e) {
        RunDescription description = ex.getProperty(RunDescription.PROPERTY, RunDescription.class);
        runState.internalError((description == null ? "" : description.name() + ": ") + e);
        if (description == null) {
            LOG.error("stopped by an internal error before its run opened", e);
            return;
        }
        LOG.error("{}: stopped by an internal error before its run opened", description.name(), e);
        try {
            rules.summaryOnly(description).abort("internal error: " + rootMessage(e));
        } catch (Exception failed) {
            LOG.warn("{}: cannot write its summary: {}", description.name(), failed.toString());
        }
    }

    private void waitForBatches(Run run) throws InterruptedException {
        long step = Math.min(rules.progressMs(), 500);
        while (!(runState.isHalted() ? run.waits().awaitTaken(step) : run.waits().awaitBatches(step))) {
            run.progress(PROGRESS);
        }
    }

    /** A report, journal or state file that could not be written (a full disk), not a fault in the data. */
    public static boolean isWriteFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ReportWriteException
                    || t instanceof java.io.IOException && !(t instanceof java.nio.charset.CharacterCodingException)) {
                return true;
            }
        }
        return false;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    private static Map<Status, Integer> nonZero(Map<Status, Integer> counts) {
        counts.values().removeIf(v -> v == 0);
        return counts;
    }
}
