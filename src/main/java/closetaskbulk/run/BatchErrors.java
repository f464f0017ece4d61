package closetaskbulk.run;

import org.apache.camel.Exchange;
import org.apache.camel.spi.ExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import closetaskbulk.close.CloseHalt;

/**
 * What the batch workers' queue consumer says about a batch that ended in an exception. A halt was said
 * once already (RunState) and its run's summary says the rest: nothing more. Anything else: one line here,
 * the trace at DEBUG.
 */
public class BatchErrors implements ExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(BatchErrors.class);

    @Override
    public void handleException(Throwable exception) {
        handleException(null, null, exception);
    }

    @Override
    public void handleException(String message, Throwable exception) {
        handleException(message, null, exception);
    }

    @Override
    public void handleException(String message, Exchange exchange, Throwable exception) {
        if (exception instanceof CloseHalt) {
            return;
        }
        Object batch = exchange == null ? null : exchange.getIn().getBody();
        LOG.warn("{} stopped: {}", batch instanceof Batch ? batch : "a batch", exception.toString());
        LOG.debug("batch stopped", exception);
    }
}
