package closetaskbulk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import closetaskbulk.run.RunState;

/** DOWN after a halt (with the reason, never the key) and while the inbox cannot be read. */
public class BundleHealth extends AbstractHealthCheck {

    private final RunState runState;
    private final Path inbox;
    private final java.util.function.BooleanSupplier leadsInbox;

    public BundleHealth(RunState runState, Path inbox) {
        this(runState, inbox, null);
    }

    /** @param leadsInbox with the cluster profile: whether this instance reads the inbox now (a detail; a standby is UP) */
    public BundleHealth(RunState runState, Path inbox, java.util.function.BooleanSupplier leadsInbox) {
        super("close-task-bulk", "bundle");
        this.runState = runState;
        this.inbox = inbox;
        this.leadsInbox = leadsInbox;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("inbox", inbox.toString());
        if (leadsInbox != null) {
            builder.detail("leads-inbox", leadsInbox.getAsBoolean());
        }
        if (runState.isHalted()) {
            builder.message("halted: " + runState.haltReason()).detail("halted", true).down();
        } else if (!Files.isDirectory(inbox) || !Files.isReadable(inbox)) {
            builder.message("the inbox " + inbox + " is not a readable folder (bulk.inbox)").down();
        } else {
            builder.up();
        }
    }
}
