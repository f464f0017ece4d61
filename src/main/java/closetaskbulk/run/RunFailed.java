package closetaskbulk.run;

/**
 * A run that cannot go on for an expected reason: a sweep's listing failed after retries, a file changed
 * while it was read (exit 1), or a definition that cannot run (a bad setting: exit 2). Its summary says so
 * under {@link #outcome()}; no stack trace.
 */
public class RunFailed extends RuntimeException {

    private final String outcome;
    private final boolean badSetting;

    /** For routes' throwException: outcome "failed". */
    public RunFailed(String message) {
        this("failed", message, false);
    }

    public RunFailed(String outcome, String message) {
        this(outcome, message, false);
    }

    public RunFailed(String outcome, String message, boolean badSetting) {
        super(message, null, false, false);
        this.outcome = outcome;
        this.badSetting = badSetting;
    }

    public String outcome() {
        return outcome;
    }

    /** A setting or definition is wrong: exit 2, like a bad setting at start-up. */
    public boolean badSetting() {
        return badSetting;
    }
}
