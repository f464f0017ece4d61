package closetaskbulk.bulk;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import closetaskbulk.RunState;

/**
 * Around every call to Close (route close-call): sets the request headers (auth, User-Agent, method) and
 * paces; afterwards turns the answer into a result or one of the exceptions the error routes handle.
 */
public class CloseCall {

    /** Exchange properties the callers set. */
    public static final String GROUP = "closeGroup";
    public static final String METHOD = "closeMethod";
    public static final String TZ_OFFSET = "closeTzOffset";
    /** The JSON body to send; kept out of the message body so that a resend sends it unchanged. */
    public static final String REQUEST = "closeRequest";
    /** The group of a call sent and not yet answered (set by prepare, cleared by check or release). */
    static final String INFLIGHT = "closeInflight";

    private static final Logger LOG = LoggerFactory.getLogger("closetaskbulk.requests");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String authorization;
    private final String baseUrl;
    private final String userAgent;
    private final Pacer pacer;
    private final RunState runState;

    /** The Basic Authorization header Close expects: the key as user name, no password. */
    public static String basicAuth(String apiKey) {
        return "Basic " + Base64.getEncoder().encodeToString((apiKey + ":").getBytes(StandardCharsets.UTF_8));
    }

    public CloseCall(String apiKey, String baseUrl, String version, Pacer pacer, RunState runState) {
        this.authorization = basicAuth(apiKey);
        this.baseUrl = baseUrl;
        this.userAgent = "close-task-bulk/" + version + " (Apache Camel)";
        this.pacer = pacer;
        this.runState = runState;
    }

    public Pacer pacer() {
        return pacer;
    }

    /** Before the HTTP step: refuse after a halt, wait for the rate limit, set exactly the headers to send. */
    public void prepare(Exchange exchange) {
        if (runState.isHalted()) {
            throw new CloseHalt(0, "not sent: the bundle halted earlier (" + runState.haltReason() + ")");
        }
        String group = exchange.getProperty(GROUP, "write", String.class);
        String method = exchange.getProperty(METHOD, "PUT", String.class);
        release(exchange); // a resend after no answer
        pacer.acquire(exchange, group);
        exchange.setProperty(INFLIGHT, group);
        Message in = exchange.getIn();
        int attempt = in.getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class);
        in.removeHeaders("*", "CamelRedelivery*"); // the error handler counts attempts in these
        in.setBody(exchange.getProperty(REQUEST, String.class));
        in.setHeader(Exchange.HTTP_METHOD, method);
        in.setHeader(Exchange.CONTENT_TYPE, "application/json");
        in.setHeader("Accept", "application/json");
        in.setHeader("User-Agent", userAgent);
        Run run = exchange.getProperty(BulkUpdate.RUN, Run.class);
        in.setHeader("Authorization", run != null && run.authorization() != null ? run.authorization() : authorization);
        if (group.equals("read") && method.equals("POST")) {
            in.setHeader("x-http-method-override", "GET");
        }
        String tz = exchange.getProperty(TZ_OFFSET, String.class);
        if (tz != null) {
            in.setHeader("x-tz-offset", tz);
        }
        if (run != null) {
            run.request(group);
            if (attempt > 0) {
                run.retry();
            }
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} {} ({}) body={}", method, baseUrl + "/task/", group, in.getBody(String.class));
        }
    }

    /** After the HTTP step: 2xx passes; anything else becomes the exception its error route handles. */
    public void check(Exchange exchange) {
        Message in = exchange.getIn();
        in.removeHeader("Authorization");
        exchange.removeProperty(INFLIGHT);
        String group = exchange.getProperty(GROUP, "write", String.class);
        int status = in.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        String rateLimit = in.getHeader("RateLimit", String.class);
        closetaskbulk.ops.Meters.request(group, String.valueOf(status));
        LOG.debug("answer {} ({}), RateLimit: {}", status, group, rateLimit);
        if (status >= 200 && status < 300) {
            pacer.update(group, rateLimit);
            return;
        }
        String body = in.getBody(String.class);
        String method = exchange.getProperty(METHOD, "PUT", String.class);
        switch (status) {
            case 429 -> {
                long ms = pacer.rateLimited(group, rateLimit, in.getHeader("Retry-After", String.class));
                throw new CloseRateLimited("Close answered 429 Too Many Requests; waiting " + ms + " ms");
            }
            case 401 -> throw new CloseHalt(401, "Close answered 401 Unauthorized: the API key is not valid or "
                    + "was revoked; set a valid key in CLOSE_API_KEY (or in the Kamelet's apiKey)");
            case 402 -> throw new CloseHalt(402, "Close answered 402 Payment Required: the organization's plan "
                    + "limit is reached" + detail(body));
            case 403 -> throw new CloseHalt(403, "Close answered 403 Forbidden: this API key may not do this"
                    + detail(body));
            case 404, 405, 414, 415 -> throw new CloseHalt(status, "Close answered " + status + " for " + method
                    + " " + baseUrl + "/task/: check close.base-url" + detail(body));
            default -> { }
        }
        pacer.update(group, rateLimit);
        if (status >= 500) {
            throw new CloseServerError(status, "Close answered " + status + detail(body));
        }
        throw new CloseBadRequest(status, "Close refused the batch (" + status + ")" + detail(body));
    }

    /** A call that got no answer no longer counts as in flight for pacing. */
    public void release(Exchange exchange) {
        String inflight = exchange.getProperty(INFLIGHT, String.class);
        if (inflight != null) {
            closetaskbulk.ops.Meters.request(inflight, "none");
            pacer.release(inflight);
            exchange.removeProperty(INFLIGHT);
        }
    }

    /** Close's message from {"error"}, {"errors"} or {"field-errors"}, kept short. */
    static String detail(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode n = JSON.readTree(body);
            StringBuilder sb = new StringBuilder();
            if (n.hasNonNull("error")) {
                sb.append(n.get("error").asText());
            }
            for (JsonNode e : n.path("errors")) {
                sb.append(sb.length() > 0 ? "; " : "").append(e.isTextual() ? e.asText() : e.toString());
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = n.path("field-errors").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                sb.append(sb.length() > 0 ? "; " : "").append(e.getKey()).append(": ")
                        .append(e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
            }
            return sb.length() == 0 ? "" : ": " + abbreviate(sb.toString());
        } catch (Exception e) {
            return ": " + abbreviate(body.strip());
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
