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
import closetaskbulk.run.Run.Status;

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
    private final long progressMs;
    private final Map<String, Run> live = new java.util.concurrent.ConcurrentHashMap<>();

    public Runs(RunState runState, long progressMs) {
        this.runState = runState;
        this.progressMs = Math.max(1, progressMs);
    }

    /** Step run-begins: the run is under way (the console lists it with its progress until it ends). */
    public void begin(@ExchangeProperty(RUN) Run run) {
        live.put(run.base(), run);
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
        List<Batch> cut = run.batcher().add(row.line(), row.id(), row.update(), row.expected(),
                run.carriedCells(row.cells()));
        if (!cut.isEmpty()) {
            // an early batch never holds the row's update: that one had no open batch
            headers.put(BATCH_CUT, cut.get(0).update().equals(row.update()) ? "full" : "max-open");
        }
        return cut;
    }

    /** Step last-batches: the partial batches at the end of the input. */
    public List<Batch> flush(@ExchangeProperty(RUN) Run run) {
        return run.batcher().flush();
    }

    /** Step batch-taken (route batch-worker): the run counts the batch done, however it ends. */
    public void take(Exchange ex) {
        Batch batch = ex.getIn().getBody(Batch.class);
        batch.run().taken();
        ex.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                if (done.getException() != null && isWriteFailure(done.getException())) {
                    batch.run().writeFailed(done.getException()); // Close may have confirmed it: the run stops
                }
                batch.run().completed();
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
        }
        if (!run.allOk()) {
            runState.rowsNotOk();
        }
        LOG.info("{}: done, {} rows {}; {} requests; reports: {}", run.name(), summary.get("rows"),
                nonZero(run.counts()), ((Map<?, ?>) summary.get("requests")).get("total"),
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
        if (run == null && !(e instanceof RunFailed) && !(e instanceof CloseHalt) && !runState.isHalted()
                && ex.getIn().getHeader(Exchange.FILE_NAME) == null) { // a file's own step says it (csvIntake.stopped)
            runState.internalError(String.valueOf(e));
            LOG.error("stopped by an internal error before its run opened", e);
        }
        if (run == null || run.ended()) {
            return;
        }
        live.remove(run.base());
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

    private void waitForBatches(Run run) throws InterruptedException {
        long step = Math.min(progressMs, 500);
        while (!(runState.isHalted() ? run.awaitTaken(step) : run.awaitBatches(step))) {
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
