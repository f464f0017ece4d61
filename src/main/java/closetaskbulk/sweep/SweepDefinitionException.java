package closetaskbulk.sweep;

import closetaskbulk.run.RunFailed;

/** A sweep whose definition cannot run (no filter, no update, a bad value): exit 2, one line. */
public class SweepDefinitionException extends RunFailed {

    public SweepDefinitionException(String message) {
        super("refused", message, true);
    }
}
