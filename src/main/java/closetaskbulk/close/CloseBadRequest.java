package closetaskbulk.close;

/** 400 (and other 4xx that concern one batch): that batch fails with Close's message; the run goes on. */
public class CloseBadRequest extends CloseException {
    public CloseBadRequest(int status, String message) {
        super(status, message);
    }
}
