package closetaskbulk.intake;

/** The same content was processed before: the file moves to bulk.done, its summary says where the first run is. */
public class AlreadyProcessedException extends RuntimeException {
    public AlreadyProcessedException(String message) {
        super(message, null, false, false);
    }
}
