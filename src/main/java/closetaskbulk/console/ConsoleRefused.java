package closetaskbulk.console;

/** A console request refused with an HTTP status and a message for the person who made it. */
public class ConsoleRefused extends RuntimeException {

    private final int status;

    public ConsoleRefused(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
