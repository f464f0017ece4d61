package closetaskbulk.run;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import closetaskbulk.close.CloseHalt;

/**
 * What this process has seen: a halt (no further request to Close), rows that did not succeed, internal
 * errors. Decides the exit code of --once and --sweep, and stops the work routes after a halt.
 */
public class RunState {

    private static final Logger LOG = LoggerFactory.getLogger(RunState.class);

    /** The route group of the sources (intake, sweeps): stopped on a halt. Set with {@code group:} in routes/. */
    public static final String SOURCES = "sources";

    private final AtomicReference<String> haltReason = new AtomicReference<>();
    private final AtomicBoolean rowsNotOk = new AtomicBoolean();
    private final AtomicBoolean internalError = new AtomicBoolean();
    private final AtomicReference<String> configError = new AtomicReference<>();
    private volatile Runnable onFinish = () -> { };
    private volatile boolean exitWhenDone; // --once, --sweep, --apply: the process ends when the work does
    private volatile CamelContext context;
    private volatile Runnable onHalt = () -> { };

    /** Called once, right after a halt (wakes calls waiting on the rate limit, so that they are refused). */
    public void onHalt(Runnable r) {
        onHalt = r;
    }

    public void setContext(CamelContext context) {
        this.context = context;
    }

    /** Called when --once / --sweep work is over, or halted. */
    public void onFinish(Runnable r) {
        onFinish = r;
        exitWhenDone = true;
    }

    public boolean isHalted() {
        return haltReason.get() != null;
    }

    public String haltReason() {
        return haltReason.get();
    }

    /** From the error route: stop every request to Close from now on. */
    public void halt(Exchange exchange) {
        Throwable e = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String reason = e instanceof CloseHalt h ? h.getMessage() : "halted: " + e;
        if (haltReason.compareAndSet(null, reason)) {
            LOG.error("HALT: {}. No further request goes to Close; the file being processed stays in the inbox. "
                    + "Fix the cause and start again: confirmed batches are not sent twice.", reason);
            onHalt.run();
            stopWorkRoutes();
            onFinish.run();
        }
    }

    private void stopWorkRoutes() {
        CamelContext ctx = context;
        if (ctx == null || exitWhenDone) { // a one-off run stops as a whole
            return;
        }
        // only the sources that run (a one-off run leaves most of them off); not while Camel itself stops
        // (--once ends at a halt): two stops of one route at once throw ConcurrentModificationException
        java.util.List<String> sources = ctx.getRoutes().stream()
                .filter(r -> SOURCES.equals(r.getGroup()))
                .map(r -> r.getRouteId())
                .filter(id -> ctx.getRouteController().getRouteStatus(id).isStarted())
                .toList();
        Thread t = new Thread(() -> sources.forEach(id -> {
                    if (ctx.isStopping() || ctx.isStopped()) {
                        return;
                    }
                    try {
                        ctx.getRouteController().stopRoute(id, 30, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (Exception ex) {
                        LOG.warn("could not stop route {}: {}", id, ex.toString());
                    }
                }), "halt-stop-routes");
        t.setDaemon(true);
        t.start();
    }

    public void rowsNotOk() {
        rowsNotOk.set(true);
    }

    public void internalError(String what) {
        internalError.set(true);
        LOG.error("internal error: {}", what);
        onFinish.run(); // --once and --sweep end here (exit 3) rather than trying the same file forever
    }

    /** A fault its caller has said in one line (a full disk, a folder that refuses a move): exit 3, no trace. */
    public void fault() {
        internalError.set(true);
        onFinish.run();
    }

    /** A definition that cannot run (e.g. a sweep without a filter): exit 2 with this message. */
    public void configError(String message) {
        configError.compareAndSet(null, message);
        onFinish.run();
    }

    public String configErrorMessage() {
        return configError.get();
    }

    /** --once found nothing more to read. */
    public void idle() {
        onFinish.run();
    }

    /** 0 every row UPDATED/UNCHANGED; 1 some row otherwise; 2 halted; 3 internal error. */
    public int exitCode() {
        if (isHalted() || configError.get() != null) {
            return 2;
        }
        if (internalError.get()) {
            return 3;
        }
        return rowsNotOk.get() ? 1 : 0;
    }
}
