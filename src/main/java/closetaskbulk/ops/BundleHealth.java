package closetaskbulk.ops;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import closetaskbulk.RunState;

/** DOWN after a halt (with the reason, never the key) and while the inbox cannot be read. */
public class BundleHealth extends AbstractHealthCheck {

    private final RunState runState;
    private final Path inbox;

    public BundleHealth(RunState runState, Path inbox) {
        super("close-task-bulk", "bundle");
        this.runState = runState;
        this.inbox = inbox;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("inbox", inbox.toString());
        if (runState.isHalted()) {
            builder.message("halted: " + runState.haltReason()).detail("halted", true).down();
        } else if (!Files.isDirectory(inbox) || !Files.isReadable(inbox)) {
            builder.message("the inbox " + inbox + " is not a readable folder (bulk.inbox)").down();
        } else {
            builder.up();
        }
    }
}
