package closetaskbulk.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before every console request (route configuration console, interceptFrom): the password when one is set
 * (HTTP basic, any user name), the same origin and the session's token for anything that changes state, and
 * the security headers of every answer. Request headers are dropped once read, so none is echoed back.
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

    /** Exchange property: who made the request (the basic-auth user, or "local"). */
    public static final String USER = "consoleUser";
    static final String TOKEN_HEADER = "X-CSRF-Token";
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    /** Headers the console routes read after the guard: path and query parameters, Camel's own. */
    private static final Set<String> KEEP = Set.of("name", "file", "kind", "id", "status", "offset", "limit", "mode",
            "dry", "sha", "Content-Length");

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleGuard.class);

    private final byte[] password;
    private final String token;

    public ConsoleGuard(String password) {
        this.password = password == null || password.isEmpty() ? null : password.getBytes(StandardCharsets.UTF_8);
        byte[] t = new byte[24];
        new SecureRandom().nextBytes(t);
        this.token = HexFormat.of().formatHex(t);
    }

    /** The session token the page sends back with every change (GET /api/session). */
    public String token() {
        return token;
    }

    public void check(Exchange ex) {
        Message in = ex.getIn();
        String method = in.getHeader(Exchange.HTTP_METHOD, "GET", String.class).toUpperCase(Locale.ROOT);
        String user = "local";
        if (password != null) {
            user = basicUser(in.getHeader("Authorization", String.class));
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            sameOrigin(in);
            String sent = in.getHeader(TOKEN_HEADER, String.class);
            if (sent == null || !MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                    token.getBytes(StandardCharsets.UTF_8))) {
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

    /** Checks the password; returns the user name given with it. */
    private String basicUser(String authorization) {
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon >= 0 && MessageDigest.isEqual(decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8), password)) {
                    String user = decoded.substring(0, colon).trim();
                    return user.isEmpty() ? "console" : user.replaceAll("[^\\p{L}\\p{N}._@ -]", "_");
                }
            } catch (IllegalArgumentException e) {
                // not base64: refused below
            }
            LOG.warn("console: a request with a wrong password was refused");
        }
        throw new ConsoleRefused(401, "the console needs its password (console.password)");
    }

    /** Origin (or Referer), when the browser sends one, must be this console's own. */
    private static void sameOrigin(Message in) {
        String host = in.getHeader("Host", String.class);
        String origin = in.getHeader("Origin", String.class);
        if (origin == null) {
            String referer = in.getHeader("Referer", String.class);
            if (referer != null) {
                int slash = referer.indexOf('/', referer.indexOf("//") + 2);
                origin = slash > 0 ? referer.substring(0, slash) : referer;
            }
        }
        String site = in.getHeader("Sec-Fetch-Site", String.class);
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            throw new ConsoleRefused(403, "refused: the request came from another site");
        }
        if (origin != null && (host == null || !(origin.equalsIgnoreCase("http://" + host)
                || origin.equalsIgnoreCase("https://" + host)))) {
            throw new ConsoleRefused(403, "refused: the request came from another origin (" + origin + ")");
        }
    }

    /** onException of the console routes: the status, the message as JSON; a login prompt for a 401. */
    public String refused(Exchange ex) {
        Throwable e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Message m = ex.getIn();
        m.removeHeaders("*", "Camel*");
        headers(m);
        int status = 500;
        String message = "internal error: see the bundle's log";
        if (e instanceof ConsoleRefused r) {
            status = r.status();
            message = r.getMessage();
        } else {
            LOG.error("console: internal error on {} {}", m.getHeader(Exchange.HTTP_METHOD), m.getHeader(Exchange.HTTP_URI), e);
        }
        if (status == 401) {
            m.setHeader("WWW-Authenticate", "Basic realm=\"close-task-bulk console\", charset=\"UTF-8\"");
        }
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        return "{\"error\":" + Json.quote(message) + "}";
    }
}
