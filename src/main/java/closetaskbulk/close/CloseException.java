package closetaskbulk.close;

/** An answer from Close that the error routes act on (routes/errors.camel.yaml). Never holds the API key. */
public class CloseException extends RuntimeException {

    private final int status;

    public CloseException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    /** The HTTP status, or 0 when there was no answer. */
    public int getStatusCode() {
        return status;
    }
}
