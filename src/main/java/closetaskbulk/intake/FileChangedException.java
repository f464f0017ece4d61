package closetaskbulk.intake;

import closetaskbulk.run.RunFailed;

/** The input changed while it was processed: its results cannot be written against it. */
public class FileChangedException extends RunFailed {

    public FileChangedException(String message) {
        super("changed", message);
    }
}
