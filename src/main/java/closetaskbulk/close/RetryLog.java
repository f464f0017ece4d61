package closetaskbulk.close;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WARN line per failed call that will be tried again (5xx, timeout, no connection): which call, which
 * attempt, why, and about how long until the next (close.retry.*: doubling, with jitter). The last failure
 * says nothing here: the call's work is FAILED, and errors.camel.yaml says that.
 */
public class RetryLog implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger("closetaskbulk.requests");

    private final long initialDelayMs;
    private final long maxDelayMs;

    public RetryLog(long initialDelayMs, long maxDelayMs) {
        this.initialDelayMs = initialDelayMs;
        this.maxDelayMs = maxDelayMs;
    }

    @Override
    public void process(Exchange exchange) {
        int failed = exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class);
        int retries = exchange.getIn().getHeader(Exchange.REDELIVERY_MAX_COUNTER, 0, Integer.class);
        if (failed < 1 || failed > retries) {
            return; // the last try failed: the work says so
        }
        Throwable e = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        long next = Math.min(maxDelayMs, initialDelayMs * (1L << Math.min(20, failed - 1)));
        LOG.warn("{}: try {} of {} failed ({}); next try in about {} ms", exchange.getProperty(CloseCall.WORK),
                failed, retries + 1, e instanceof CloseException || e == null ? String.valueOf(e == null ? "" : e.getMessage())
                        : e.getClass().getSimpleName() + ": " + e.getMessage(), next);
    }
}
