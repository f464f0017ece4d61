package closetaskbulk.close;

/** 401, 402, 403, 404 (and 405, 414, 415): no further request may go to Close until someone fixes it. */
public class CloseHalt extends CloseException {
    public CloseHalt(int status, String message) {
        super(status, message);
    }
}
