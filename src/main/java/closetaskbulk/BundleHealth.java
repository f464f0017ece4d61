package closetaskbulk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import closetaskbulk.run.RunState;

/**
 * DOWN after a halt (with the reason, never the key), while the inbox cannot be read, and while a file whose
 * run could not finish (a full disk, a folder that refuses the move) is held in its folder.
 */
public class BundleHealth extends AbstractHealthCheck {

    private final RunState runState;
    private final Path inbox;
    private final java.util.function.BooleanSupplier leadsInbox;
    private final java.util.function.Supplier<Map<String, String>> held;

    /** @param leadsInbox with the cluster profile: whether this instance reads the inbox now (a detail; a standby is UP) */
    /** @param held the files held because their run could not finish, with why (HeldFiles.troubles) */
    public BundleHealth(RunState runState, Path inbox, java.util.function.BooleanSupplier leadsInbox,
                        java.util.function.Supplier<Map<String, String>> held) {
        super("close-task-bulk", "bundle");
        this.runState = runState;
        this.inbox = inbox;
        this.leadsInbox = leadsInbox;
        this.held = held;
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
        } else if (!held.get().isEmpty()) {
            Map<String, String> files = held.get();
            builder.message(files.size() + " file(s) could not be finished and stay where they are until they change "
                    + "or the bundle restarts: " + files).detail("held", files.keySet()).down();
        } else {
            builder.up();
        }
    }
}
