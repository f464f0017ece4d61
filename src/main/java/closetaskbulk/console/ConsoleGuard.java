package closetaskbulk.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import closetaskbulk.ops.Messages;

/**
 * Before every console request (route configuration console, interceptFrom), after the server's {@link HttpGuard}
 * (Host, password, same site): who signed in, the session's token for anything that changes state, and the
 * security headers of every answer. Request headers are dropped once read, so none is echoed back.
 */
public class ConsoleGuard {

    /** Exchange property: the request's path and query parameters, read by the guard. */
    static final String PARAMS = "consoleParams";

    /** A path or query parameter of the request (see {@link #check}). */
    @SuppressWarnings("unchecked")
    static String param(Exchange ex, String name, String dflt) {
        Map<String, String> params = ex.getProperty(PARAMS, Map.class);
        String v = params == null ? null : params.get(name);
        return v == null ? dflt : v;
    }

    /** Exchange property: who made the request (the user signed in with the password, or "local"). */
    public static final String USER = "consoleUser";
    static final String TOKEN_HEADER = "X-CSRF-Token";
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    /** Headers the console routes read after the guard: path and query parameters, Camel's own. */
    private static final Set<String> KEEP = Set.of("name", "file", "kind", "id", "status", "offset", "limit", "mode",
            "dry", "sha", "Content-Length", "Content-Type");

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleGuard.class);

    private final byte[] secret;

    public ConsoleGuard() {
        secret = new byte[32];
        new SecureRandom().nextBytes(secret);
    }

    /**
     * The session token of a user, which the page sends back with every change (GET /api/session): bound to the
     * user, so a change made under another name than the one that opened the page is refused.
     */
    public String token(String user) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(user.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public void check(Exchange ex) {
        Message in = ex.getIn();
        String method = in.getHeader(Exchange.HTTP_METHOD, "GET", String.class).toUpperCase(Locale.ROOT);
        String user = in.getHeader(HttpGuard.USER_HEADER, "local", String.class); // set by the HttpGuard only
        if (!method.equals("GET") && !method.equals("HEAD")) {
            String sent = in.getHeader(TOKEN_HEADER, String.class);
            if (sent == null || !MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                    token(user).getBytes(StandardCharsets.UTF_8))) {
                LOG.debug("console: a change by {} without its session token was refused", user);
                throw new ConsoleRefused(403, "missing or wrong " + TOKEN_HEADER + ": reload the console and try again");
            }
        }
        ex.setProperty(USER, user);
        Map<String, String> params = new HashMap<>();
        for (String k : KEEP) {
            String v = in.getHeader(k, String.class);
            if (v != null) {
                params.put(k, v);
            }
        }
        ex.setProperty(PARAMS, params);
        in.removeHeaders("*", "Camel*"); // read once: none goes back out as a response header
        headers(in);
    }

    /** The security headers of every console answer. */
    static void headers(Message m) {
        m.setHeader("Content-Security-Policy", CSP);
        m.setHeader("X-Content-Type-Options", "nosniff");
        m.setHeader("Referrer-Policy", "no-referrer");
        m.setHeader("X-Frame-Options", "DENY");
        m.setHeader("Cache-Control", "no-store");
    }

    /** onException of the console routes: the status, the message as JSON. */
    public String refused(Exchange ex) {
        Throwable e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Message m = ex.getIn();
        m.removeHeaders("*", "Camel*");
        headers(m);
        int status = 500;
        String message = "internal error: see the bundle's log";
        if (e instanceof ConsoleRefused r) {
            status = r.status();
            message = Messages.brief(r.getMessage());
        } else {
            LOG.error("console: internal error on {} {}", m.getHeader(Exchange.HTTP_METHOD), m.getHeader(Exchange.HTTP_URI), e);
        }
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        return "{\"error\":" + Json.quote(message) + "}";
    }
}
