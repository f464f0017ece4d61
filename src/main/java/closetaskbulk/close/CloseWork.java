package closetaskbulk.close;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The body of a call to Close (route close-call): a batch's read or write, or a page of a sweep's listing.
 * It says what to send, takes the answer, and learns when the call failed for good.
 */
public interface CloseWork {

    /** Endpoint group for pacing and counting: "read", "write" or "users". */
    String group();

    /** POST (a read, sent with x-http-method-override: GET), PUT, or GET. */
    String method();

    /** The JSON body of the request, or null (a GET). */
    String request();

    /** The path under close.base-url. */
    default String path() {
        return "/task/";
    }

    /** The query string, or null. */
    default String query() {
        return null;
    }

    /** True when the answer must be a list ({"data": [...]}): every read. */
    default boolean listing() {
        return !method().equals("PUT");
    }

    /** The Authorization header to use instead of the bundle's, or null. Never logged. */
    default String authorization() {
        return null;
    }

    /** x-tz-offset in hours ("1", "-5", "5.5"), or null. */
    default String tzOffset() {
        return null;
    }

    /** Counts the call (and whether it is a retry) in the run's summary. */
    default void counted(boolean retry) {
    }

    /** Close answered: its status and the RateLimit remaining it reported (null when none), for the run's chart. */
    default void answered(int status, Double remaining) {
    }

    /** A 2xx answer's body, checked to be a JSON object (with a "data" list for a read). */
    void answer(JsonNode body);

    /** The call failed for good (after retries, refused, or a halt): {@code status} 0 when there was no answer. */
    void fail(int status, String message);

    /**
     * The call failed for good; {@code unanswered}: it was sent and got no answer or a 5xx (not a halt, not a
     * refusal), so Close may have applied it.
     */
    default void fail(int status, String message, boolean unanswered) {
        fail(status, message);
    }

    /** True once {@link #fail} was called. */
    boolean isFailed();
}
