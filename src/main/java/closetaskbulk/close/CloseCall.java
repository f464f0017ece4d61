package closetaskbulk.close;

import java.util.Iterator;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpRequestInterceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Around every call to Close (route close-call): the body is the call's {@link CloseWork}. Before the HTTP
 * step: refuse after a halt, pace; the route sets the headers from the work. After it: a 2xx answer goes to the
 * work, which is the body again; anything else becomes the exception its error route handles. The API key is
 * put into the request only by the HTTP client ({@link #configureHttpClient}): no message ever holds it.
 */
public class CloseCall implements HttpClientConfigurer {

    /** The work of the call under way: the body holds HTTP bodies until the answer is in. */
    public static final String WORK = "closeWork";
    /** The group of a call sent and not yet answered (set by prepare, cleared by check or release). */
    static final String INFLIGHT = "closeInflight";

    private static final Logger LOG = LoggerFactory.getLogger("closetaskbulk.requests");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The Authorization header route close-call sets for the bundle's own key (close.api-key). */
    static final String BUNDLE_KEY = "Basic <close.api-key>";

    /** Authorization references and the headers they stand for; a Kamelet's own key is added on first use. */
    private final Map<String, String> keys = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, String> references = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger ownKeys = new java.util.concurrent.atomic.AtomicInteger();
    private final String baseUrl;
    private final String userAgent;
    private final Pacer pacer;
    private final Supplier<String> haltReason;

    /** @param haltReason why the bundle halted, or null while it has not: no call starts after a halt */
    public CloseCall(String apiKey, String baseUrl, String version, Pacer pacer, Supplier<String> haltReason) {
        keys.put(BUNDLE_KEY, CloseApi.basicAuth(apiKey));
        this.baseUrl = baseUrl;
        this.userAgent = "close-task-bulk/" + version + " (Apache Camel)";
        this.pacer = pacer;
        this.haltReason = haltReason;
        pacer.haltWhen(haltReason);
    }

    public Pacer pacer() {
        return pacer;
    }

    /**
     * Step close-prepare: refuse after a halt, wait for the rate limit, count the call. The work is kept as
     * exchange property {@value #WORK}; the body becomes its JSON (null for a GET). The route sets the headers.
     */
    public void prepare(Exchange exchange) {
        Message in = exchange.getIn();
        CloseWork work = in.getBody() instanceof CloseWork w ? w : exchange.getProperty(WORK, CloseWork.class);
        exchange.setProperty(WORK, work);
        String halted = haltReason.get();
        if (halted != null) {
            throw new CloseHalt(0, "not sent: the bundle halted earlier (" + halted + ")");
        }
        String group = work.group();
        release(exchange); // a resend after no answer
        pacer.acquire(exchange, group);
        exchange.setProperty(INFLIGHT, group);
        int attempt = in.getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class);
        String request = work.request();
        in.setBody(request);
        work.counted(attempt > 0);
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} {}{} ({}) body={}", work.method(), baseUrl, work.path(), group, request);
        }
    }

    /** Step close-user-agent: this bundle and its version. */
    public String userAgent() {
        return userAgent;
    }

    /**
     * Step close-auth: the Authorization header, as a reference to the key ({@value #BUNDLE_KEY}, or a
     * Kamelet's own key's), never the key: Camel's tracer, message history and consoles show a message's
     * headers. The HTTP client puts the key in its place as the request leaves ({@link #configureHttpClient}).
     */
    public String authorization(@ExchangeProperty(WORK) CloseWork work) {
        String own = work.authorization();
        if (own == null) {
            return BUNDLE_KEY;
        }
        return references.computeIfAbsent(own, key -> {
            String ref = "Basic <apiKey " + ownKeys.incrementAndGet() + ">";
            keys.put(ref, key);
            return ref;
        });
    }

    /** The close-http endpoint's client: the Authorization reference becomes the key as the request leaves. */
    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.addRequestInterceptorLast((HttpRequestInterceptor) (request, entity, context) -> {
            Header auth = request.getFirstHeader("Authorization");
            String key = auth == null ? null : keys.get(auth.getValue());
            if (key != null) {
                request.setHeader("Authorization", key);
            }
        });
    }

    /** After the HTTP step: 2xx goes to the work; anything else becomes the exception its error route handles. */
    public void check(Exchange exchange) {
        Message in = exchange.getIn();
        in.removeHeader("Authorization");
        exchange.removeProperty(INFLIGHT);
        CloseWork work = exchange.getProperty(WORK, CloseWork.class);
        String group = work.group();
        int status = in.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        String rateLimit = in.getHeader("RateLimit", String.class);
        closetaskbulk.ops.Meters.request(group, String.valueOf(status));
        LOG.debug("answer {} ({}), RateLimit: {}", status, group, rateLimit);
        work.answered(status, Pacer.remaining(rateLimit));
        String body = in.getBody(String.class);
        if (status == 429) {
            long ms = pacer.rateLimited(group, rateLimit, in.getHeader("Retry-After", String.class));
            throw new CloseRateLimited("Close answered 429 Too Many Requests; waiting " + ms + " ms");
        }
        pacer.update(group, rateLimit); // answered: whatever it says, the call no longer counts as in flight
        if (status >= 200 && status < 300) {
            work.answer(answer(status, body, work.listing()));
            in.setBody(work);
            exchange.removeProperty(WORK);
            return;
        }
        switch (status) {
            case 401 -> throw new CloseHalt(401, "Close answered 401 Unauthorized: the API key is not valid or "
                    + "was revoked; set a valid key in CLOSE_API_KEY (or in the Kamelet's apiKey)");
            case 402 -> throw new CloseHalt(402, "Close answered 402 Payment Required: the organization's plan "
                    + "limit is reached" + detail(body));
            case 403 -> throw new CloseHalt(403, "Close answered 403 Forbidden: this API key may not do this"
                    + detail(body));
            case 404, 405, 414, 415 -> throw new CloseHalt(status, "Close answered " + status + " for "
                    + work.method() + " " + baseUrl + work.path() + ": check close.base-url" + detail(body));
            default -> { }
        }
        if (status >= 500) {
            throw new CloseServerError(status, "Close answered " + status + detail(body));
        }
        throw new CloseBadRequest(status, "Close refused the batch (" + status + ")" + detail(body));
    }

    /**
     * From the error routes: the call failed for good (retries spent, refused, or halted). Its work learns
     * why, and is the body again, so that the calling route can go on with it.
     */
    public void failed(Exchange exchange) {
        release(exchange);
        CloseWork work = exchange.getProperty(WORK, CloseWork.class);
        exchange.removeProperty(WORK);
        if (work == null) {
            return;
        }
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        int status = e instanceof CloseException ce ? ce.getStatusCode() : 0;
        String msg = e instanceof CloseException ? e.getMessage()
                : "no answer from Close after retries: " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : " " + e.getMessage());
        work.fail(status, msg, !(e instanceof CloseHalt) && (status == 0 || status >= 500));
        exchange.getIn().setBody(work);
    }

    /**
     * A 2xx answer must be what Close sends: a JSON object, with a "data" list for a read. Anything else (an
     * HTML page from a proxy, an empty or cut body) is a failed call, retried like a 5xx: an empty answer must
     * never make every row NOT_FOUND.
     */
    static JsonNode answer(int status, String body, boolean read) {
        JsonNode n = null;
        try {
            n = body == null || body.isBlank() ? null : JSON.readTree(body);
        } catch (Exception e) {
            n = null;
        }
        if (n == null || !n.isObject() || read && !n.path("data").isArray()) {
            String what = body == null || body.isBlank() ? "an empty body"
                    : body.stripLeading().startsWith("<") ? "an HTML page" : "a body that is not Close's JSON";
            String shown = body == null || body.isBlank() ? "" : " (" + abbreviate(body.strip().replaceAll("\\s+", " ")) + ")";
            throw new CloseServerError(status, "Close answered " + status + " with " + what + shown);
        }
        return n;
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
