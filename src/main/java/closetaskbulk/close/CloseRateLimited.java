package closetaskbulk.close;

/** 429: the pacer has been told how long to wait; the call is redelivered after that wait. */
public class CloseRateLimited extends CloseException {
    public CloseRateLimited(String message) {
        super(429, message);
    }
}
