package closetaskbulk.intake;

/**
 * The whole file is refused before any request: it moves to bulk.failed with the reason in its summary
 * (bulk.done for {@link AlreadyProcessedException}).
 */
public class FileRejectedException extends RuntimeException {
    public FileRejectedException(String message) {
        super(closetaskbulk.ops.Messages.brief(message), null, false, false); // it may quote the file
    }
}
