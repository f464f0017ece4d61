package closetaskbulk.run;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The one set of rules every run is opened by, whatever its source, read once from the settings: batching
 * (close.batch-size, bulk.max-open-batches, close.list-limit), bulk.filter.* (unless the source has a filter of
 * its own: a sweep's), close.read-before-write, bulk.dry-run, bulk.progress-interval, the journal that resumes a
 * file's run after a crash, and who is told of every summary (bulk.notify.*).
 *
 * @param journals the journals' store, or null (no resume)
 * @param told     told every run's summary once it is written, however the run ended
 */
public record RunRules(Path reportsDir, int batchSize, int maxOpenBatches, int listLimit, Map<String, String> filter,
                       boolean readBeforeWrite, boolean dryRun, long progressMs, Journal.Store journals,
                       Consumer<Map<String, Object>> told) {

    public RunRules {
        filter = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(filter));
        progressMs = Math.max(1, progressMs);
    }

    /** The run an adapter described, opened by these rules (a journaled one resumes where it stopped). */
    Run open(RunDescription d) {
        return open(d, true);
    }

    /** A run that ends at once with only its summary (refused, or stopped before it opened): never journaled. */
    Run summaryOnly(RunDescription d) {
        return open(d, false);
    }

    private Run open(RunDescription d, boolean journaled) {
        boolean dry = d.dryRun() || dryRun && !d.plan();
        Journal journal = !journaled || dry || d.content() == null || journals == null ? null
                : Journal.open(journals, d.content(), fingerprint(), Run.uniqueBase(reportsDir, d.name()));
        Run run = new Run(d.name(), reportsDir, d.source(), dry, d.filter() != null ? d.filter() : filter,
                d.updateColumns(), journal == null ? null : journal.base())
                .journal(journal).readBeforeWrite(readBeforeWrite || d.plan())
                .tzOffset(d.tzOffset()).authorization(d.authorization())
                .progressEvery(progressMs).onEnd(d.whenEnded()).told(told);
        run.header(d.header(), d.carried());
        if (d.approvedBy() != null) {
            run.approved(d.approvedBy(), d.approvedAt());
        }
        if (d.rows() != null) {
            run.total(d.total());
            run.rows(d.rows());
        }
        return run;
    }

    /** Groups a run's rows into batches (close.batch-size, bulk.max-open-batches, close.list-limit). */
    Batcher batcher(Run run) {
        return new Batcher(run, batchSize, maxOpenBatches, listLimit);
    }

    /** What a journal was written under: resumed only by the same batching, reads and filter. */
    String fingerprint() {
        return "batch=" + batchSize + ";open=" + maxOpenBatches + ";read=" + readBeforeWrite + ";filter="
                + new TreeMap<>(filter);
    }
}
