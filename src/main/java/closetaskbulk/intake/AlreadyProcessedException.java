package closetaskbulk.intake;

/**
 * The same content was processed before: refused like a rejected file, but it moves to bulk.done, and its
 * summary says where the first run is.
 */
public class AlreadyProcessedException extends FileRejectedException {
    public AlreadyProcessedException(String message) {
        super(message);
    }
}
