package closetaskbulk.console;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First on every router of the bundle's HTTP servers (the console's, Camel's management server), so every route
 * on them is covered: the console's REST routes, Camel's health, metrics and dev consoles, and an engineer's own
 * platform-http or REST route, with no line of its own. It answers only this server's own Host names (a
 * DNS-rebound page sends its own), asks for the password where one is needed (throttled), refuses changes from
 * another site's page, dev console actions and bodies larger than the server takes, and keeps request headers
 * out of every answer.
 */
public final class HttpGuard implements Handler<RoutingContext> {

    /** Request header the guard sets to the signed-in user for the routes behind it (any sent one is dropped). */
    public static final String USER_HEADER = "X-Close-Task-Bulk-User";
    private static final String HEALTH = "/observe/health";
    /** Response headers that may carry the same name as a request header; any other such name is dropped. */
    private static final Set<String> RESPONSE_HEADERS = Set.of("content-type", "content-length", "content-encoding",
            "transfer-encoding", "cache-control", "connection", "date", "vary", "content-disposition", "pragma",
            "keep-alive", "content-language", "expires");
    private static final Logger LOG = LoggerFactory.getLogger(HttpGuard.class);

    private final Set<String> hosts;
    private final int port;
    private final ConsolePassword password;
    private final boolean passwordForAll;
    private final long uploadMax;

    /**
     * @param passwordForAll every request but health needs the password (when one is set): the console's server,
     *                       or a management server bound beyond loopback
     */
    HttpGuard(String boundHost, int port, List<String> allowedHosts, ConsolePassword password, boolean passwordForAll,
              long uploadMax) {
        this.port = port;
        this.password = password;
        this.passwordForAll = passwordForAll;
        this.uploadMax = uploadMax;
        Set<String> h = new HashSet<>(List.of("localhost", "127.0.0.1", "[::1]"));
        String bound = boundHost.toLowerCase(Locale.ROOT);
        if (bound.equals("0.0.0.0") || bound.equals("::") || bound.equals("[::]")) {
            h.addAll(interfaceAddresses()); // an address literal cannot be rebound to another site's name
        } else {
            h.add(bound.contains(":") && !bound.startsWith("[") ? "[" + bound + "]" : bound);
        }
        allowedHosts.forEach(a -> h.add(a.toLowerCase(Locale.ROOT)));
        this.hosts = Set.copyOf(h);
    }

    /** Puts a guard first on every HTTP server of this context; idempotent per router. */
    public static void install(CamelContext context, Access access) {
        for (VertxPlatformHttpRouter router : context.getRegistry().findByType(VertxPlatformHttpRouter.class)) {
            if (router.getServer() == null || !access.installed.add(router.getName())) {
                continue;
            }
            String host = router.getServer().getHost() == null ? "0.0.0.0" : router.getServer().getHost();
            int port = router.getServer().getPort();
            HttpGuard guard = new HttpGuard(host, port, access.allowedHosts, access.password,
                    port == access.consolePort || access.managementBeyondLoopback, access.uploadMax);
            router.route().order(Integer.MIN_VALUE).handler(guard);
            router.route().order(Integer.MIN_VALUE).failureHandler(ctx -> {
                if (ctx.statusCode() == 413 && !ctx.response().headWritten()) {
                    guard.refuse(ctx, 413, ConsoleActions.tooLarge(guard.uploadMax));
                } else {
                    ctx.next();
                }
            });
        }
    }

    /**
     * What the guards of a context share: the password (null: none), the console's port (every request there
     * needs it), whether the management server is bound beyond loopback (then its requests need it too, health
     * aside), the names console.allowed-hosts adds, the largest body (console.upload-max-bytes).
     */
    public static final class Access {
        final ConsolePassword password;
        final int consolePort;
        final boolean managementBeyondLoopback;
        final List<String> allowedHosts;
        final long uploadMax;
        final Set<String> installed = Collections.synchronizedSet(new HashSet<>());

        public Access(ConsolePassword password, int consolePort, boolean managementBeyondLoopback,
                      List<String> allowedHosts, long uploadMax) {
            this.password = password;
            this.consolePort = consolePort;
            this.managementBeyondLoopback = managementBeyondLoopback;
            this.allowedHosts = List.copyOf(allowedHosts);
            this.uploadMax = uploadMax;
        }
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        String host = authority(req);
        if (!hostAllowed(host)) {
            refuse(ctx, 421, "this server does not answer to the name '" + brief(host) + "' (add it to console.allowed-hosts "
                    + "if it is yours)");
            return;
        }
        req.headers().remove(USER_HEADER);
        String path = ctx.normalizedPath();
        if (path.equals(HEALTH) || path.startsWith(HEALTH + "/")) {
            if (!isLoopback(req)) { // probes see UP or DOWN; the details only on this machine
                req.params().set("exposureLevel", "oneline");
                req.params().remove("stackTrace");
                req.params().remove("data");
            }
            ctx.next();
            return;
        }
        if (path.startsWith("/q/send") || path.startsWith("/q/dev") && req.params().contains("action")) {
            refuse(ctx, 403, "actions of Camel's developer consoles are off in close-task-bulk");
            return;
        }
        if (path.startsWith("/q/")) { // developer consoles are read by the engineer's own browser or curl, never a page
            String crossSite = crossSite(req, host);
            if (crossSite != null) {
                refuse(ctx, 403, crossSite);
                return;
            }
        }
        try {
            if (password != null && passwordForAll) {
                req.headers().set(USER_HEADER, password.user(req.getHeader("Authorization"), client(req)));
            }
        } catch (ConsoleRefused r) {
            refuse(ctx, r.status(), r.getMessage());
            return;
        }
        String method = req.method().name();
        if (!method.equals("GET") && !method.equals("HEAD") && !method.equals("OPTIONS")) {
            String crossSite = crossSite(req, host);
            if (crossSite != null) {
                refuse(ctx, 403, crossSite);
                return;
            }
        }
        String length = req.getHeader("Content-Length");
        if (length != null && length.trim().matches("\\d{1,18}") && Long.parseLong(length.trim()) > uploadMax) {
            refuse(ctx, 413, ConsoleActions.tooLarge(uploadMax));
            return;
        }
        MultiMap sent = MultiMap.caseInsensitiveMultiMap().addAll(req.headers());
        ctx.addHeadersEndHandler(v -> {
            MultiMap out = ctx.response().headers();
            for (String name : sent.names()) {
                if (!RESPONSE_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                    out.remove(name);
                }
            }
        });
        ctx.next();
    }

    /** Host (HTTP/1.1) or :authority (HTTP/2, as after an h2c upgrade), as host[:port]; null when missing. */
    private static String authority(HttpServerRequest req) {
        var a = req.authority();
        if (a == null || a.host() == null || a.host().isBlank()) {
            return null;
        }
        String h = a.host().contains(":") && !a.host().startsWith("[") ? "[" + a.host() + "]" : a.host();
        return a.port() >= 0 ? h + ":" + a.port() : h;
    }

    boolean hostAllowed(String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        String h = host.trim().toLowerCase(Locale.ROOT);
        int colon = h.lastIndexOf(':');
        if (colon > h.lastIndexOf(']')) { // a port: only this server's
            if (!h.substring(colon + 1).equals(String.valueOf(port))) {
                return false;
            }
            h = h.substring(0, colon);
        }
        return hosts.contains(h);
    }

    /** Why a change is refused as coming from another site's page, or null: scripts send no Origin. */
    private static String crossSite(HttpServerRequest req, String host) {
        String site = req.getHeader("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            return "refused: the request came from another site";
        }
        String origin = req.getHeader("Origin");
        if (origin == null) {
            String referer = req.getHeader("Referer");
            if (referer != null) {
                int slash = referer.indexOf('/', referer.indexOf("//") + 2);
                origin = slash > 0 ? referer.substring(0, slash) : referer;
            }
        }
        if (origin != null && !(origin.equalsIgnoreCase("http://" + host) || origin.equalsIgnoreCase("https://" + host))) {
            return "refused: the request came from another origin (" + brief(origin) + ")";
        }
        return null;
    }

    /** One short JSON line and its status; a login prompt for a 401, when to try again for a 429. */
    void refuse(RoutingContext ctx, int status, String message) {
        var res = ctx.response();
        res.setStatusCode(status);
        res.putHeader("Content-Type", "application/json");
        res.putHeader("Cache-Control", "no-store");
        res.putHeader("X-Content-Type-Options", "nosniff");
        if (status == 401) {
            res.putHeader("WWW-Authenticate", "Basic realm=\"close-task-bulk console\", charset=\"UTF-8\"");
        }
        if (status == 429 && password != null) {
            res.putHeader("Retry-After", String.valueOf(password.retryAfterSeconds(client(ctx.request()))));
        }
        if (status != 401 && status != 429) {
            LOG.debug("http: {} {} refused ({}): {}", ctx.request().method(), ctx.normalizedPath(), status, message);
        }
        if (status == 413) {
            res.putHeader("Connection", "close");
        }
        res.end("{\"error\":" + Json.quote(message) + "}");
    }

    private static String client(HttpServerRequest req) {
        return req.remoteAddress() == null ? "unknown" : req.remoteAddress().hostAddress();
    }

    private static boolean isLoopback(HttpServerRequest req) {
        try {
            return req.remoteAddress() != null && InetAddress.getByName(req.remoteAddress().hostAddress()).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static String brief(String s) {
        return closetaskbulk.ops.Messages.brief(String.valueOf(s), 80);
    }

    private static Set<String> interfaceAddresses() {
        Set<String> out = new HashSet<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    String s = a.getHostAddress();
                    int zone = s.indexOf('%');
                    s = zone > 0 ? s.substring(0, zone) : s;
                    out.add(s.contains(":") ? "[" + s.toLowerCase(Locale.ROOT) + "]" : s);
                }
            }
        } catch (SocketException e) {
            LOG.warn("http: cannot list this machine's addresses ({}): use console.allowed-hosts", e.getMessage());
        }
        return out;
    }
}
