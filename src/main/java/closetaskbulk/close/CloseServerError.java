package closetaskbulk.close;

/** 5xx: retried with exponential backoff and jitter, then the batch fails. */
public class CloseServerError extends CloseException {
    public CloseServerError(int status, String message) {
        super(status, message);
    }
}
