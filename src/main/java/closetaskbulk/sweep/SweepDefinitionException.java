package closetaskbulk.sweep;

/** A sweep whose definition cannot run (no filter, no update, a bad value): refused with this message. */
public class SweepDefinitionException extends RuntimeException {
    public SweepDefinitionException(String message) {
        super(message, null, false, false);
    }
}
