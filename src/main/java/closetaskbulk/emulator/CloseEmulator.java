package closetaskbulk.emulator;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local stand-in for Close's task API (docs/CLOSE-API.md): auth, list filters, {@code _params},
 * bulk update, per-group rate limits, fault injection and a request log. For tests and {@code --demo}.
 */
public class CloseEmulator implements AutoCloseable {

    public static final String PREFIX = "/api/v1";

    static {
        // The JDK server writes headers and body separately; with Nagle on, each answer waits ~40 ms for
        // a delayed ACK. Must be set before the first HttpServer is created.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as the emulator saw it. Header names are lower case. */
    public record Recorded(String method, String path, String query, String body, Map<String, String> headers,
                           int status, String group, long at) {
        public JsonNode json() {
            try {
                return body == null || body.isEmpty() ? null : JSON.readTree(body);
            } catch (IOException e) {
                return null;
            }
        }
    }

    private final TaskStore store = new TaskStore();
    private final Faults faults = new Faults(42);
    private final RateLimits rateLimits = new RateLimits();
    private final Set<String> keys = ConcurrentHashMap.newKeySet();
    private final List<Recorded> log = Collections.synchronizedList(new ArrayList<>());
    private final ThreadLocal<java.util.function.IntConsumer> pending = new ThreadLocal<>();
    private final List<java.util.function.Consumer<Recorded>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile int bulkLimit = 1000;
    private volatile int maxLimit = 100;
    private volatile int maxUrlLength = 2000;
    private HttpServer server;
    private ExecutorService pool;

    public TaskStore store() {
        return store;
    }

    public Faults faults() {
        return faults;
    }

    public RateLimits rateLimits() {
        return rateLimits;
    }

    public CloseEmulator addKey(String key) {
        keys.add(key);
        return this;
    }

    /** Revokes a key: from the next request on, it answers 401. */
    public CloseEmulator revokeKey(String key) {
        keys.remove(key);
        return this;
    }

    /** Called after each request is answered (e.g. to revoke a key after the third call). */
    public CloseEmulator onRequest(java.util.function.Consumer<Recorded> listener) {
        listeners.add(listener);
        return this;
    }

    public CloseEmulator bulkLimit(int n) {
        bulkLimit = n;
        return this;
    }

    public CloseEmulator maxLimit(int n) {
        maxLimit = n;
        return this;
    }

    public CloseEmulator maxUrlLength(int n) {
        maxUrlLength = n;
        return this;
    }

    public CloseEmulator start() throws IOException {
        return start(0);
    }

    public CloseEmulator start(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "close-emulator");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The API root, e.g. {@code http://127.0.0.1:12345/api/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + PREFIX;
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
            pool.shutdownNow();
        }
    }

    public List<Recorded> requests() {
        synchronized (log) {
            return new ArrayList<>(log);
        }
    }

    public List<Recorded> requests(Predicate<Recorded> which) {
        return requests().stream().filter(which).toList();
    }

    /** Requests of one endpoint group, e.g. {@code "PUT /task/"} or {@code "GET /task/"}. */
    public List<Recorded> requests(String group) {
        return requests(r -> group.equals(r.group()));
    }

    public void clearLog() {
        log.clear();
    }

    private void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
        URI uri = ex.getRequestURI();
        String path = uri.getRawPath();
        String query = uri.getRawQuery();
        byte[] raw = ex.getRequestBody().readAllBytes();
        String body = new String(raw, StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
        String override = headers.get("x-http-method-override");
        String effective = method.equals("POST") && override != null ? override.toUpperCase(Locale.ROOT) : method;
        String group = effective + " " + family(path);
        // recorded just before the answer goes out, so a client that has its answer finds it in the log
        Faults.Action act = faults.next(group);
        pending.set(st -> {
            act.headers().forEach((name, value) -> {
                if (value.isEmpty()) {
                    ex.getResponseHeaders().remove(name);
                } else {
                    ex.getResponseHeaders().set(name, value);
                }
            });
            record(method, path, query, body, headers, st, group);
        });
        try {
            faults.delay(act);
            if (act.drop()) {
                pending.get().accept(-1);
                ex.close(); // no status line: the client sees the connection end
                return;
            }
            if (act.body() != null) {
                sendRaw(ex, act.status(), act.body());
            } else if (act.status() == 429) {
                send429(ex, rateLimits.peek(group + " " + keyOf(headers)));
            } else if (act.status() > 0) {
                send(ex, act.status(), CloseError.of(act.status(), "Injected fault " + act.status()).body, null);
            } else {
                route(ex, method, effective, path, query, body, headers, group);
            }
        } catch (RuntimeException e) {
            send(ex, 500, CloseError.of(500, "emulator error: " + e).body, null);
        } finally {
            pending.remove();
        }
    }

    private void record(String method, String path, String query, String body, Map<String, String> headers,
                        int status, String group) {
        Recorded r = new Recorded(method, path, query, body, headers, status, group, System.currentTimeMillis());
        log.add(r);
        listeners.forEach(l -> l.accept(r));
    }

    private static String family(String path) {
        if (path.startsWith(PREFIX + "/task/")) {
            String rest = path.substring((PREFIX + "/task/").length());
            return rest.isEmpty() ? "/task/" : "/task/{id}/";
        }
        return path.startsWith(PREFIX + "/") ? path.substring(PREFIX.length()) : path;
    }

    private int route(HttpExchange ex, String method, String effective, String path, String query, String body,
                      Map<String, String> headers, String group) throws IOException {
        String target = path + (query == null ? "" : "?" + query);
        if (target.length() > maxUrlLength) {
            return send(ex, 414, CloseError.of(414, "Request-URI Too Long").body, null);
        }
        String key = keyOf(headers);
        if (key == null || !keys.contains(key)) {
            return send(ex, 401, CloseError.of(401, "The API key is not valid or has been revoked.").body, null);
        }
        RateLimits.Answer rl = rateLimits.take(group + " " + key);
        if (!rl.allowed()) {
            return send429(ex, rl);
        }
        try {
            double tz = tzOffset(headers);
            if (path.equals(PREFIX + "/task/")) {
                JsonNode json = body.isBlank() ? null : JSON.readTree(body);
                Map<String, String> params = json != null && json.has("_params")
                        ? paramsOf(json.get("_params")) : parseQuery(query);
                if (effective.equals("GET")) {
                    return send(ex, 200, list(params, tz), rl);
                }
                if (method.equals("PUT")) {
                    store.bulkUpdate(params, json, tz, bulkLimit);
                    return send(ex, 200, JSON.createObjectNode().put("ok", true), rl);
                }
                return send(ex, 405, CloseError.of(405, "Method not allowed").body, rl);
            }
            if (path.equals(PREFIX + "/user/") && effective.equals("GET")) {
                Map<String, String> q = parseQuery(query);
                int skip = Integer.parseInt(q.getOrDefault("_skip", "0"));
                int limit = Integer.parseInt(q.getOrDefault("_limit", "100"));
                if (limit > 100 || limit < 1 || skip < 0) {
                    return send(ex, 400, CloseError.of(400, "_limit must be 1 to 100 and _skip 0 or more").body, rl);
                }
                List<ObjectNode> page = store.userPage(skip, limit + 1);
                ObjectNode out = JSON.createObjectNode();
                var data = out.putArray("data");
                page.stream().limit(limit).forEach(data::add);
                out.put("has_more", page.size() > limit);
                return send(ex, 200, out, rl);
            }
            if (path.startsWith(PREFIX + "/task/") && path.endsWith("/")) {
                String id = path.substring((PREFIX + "/task/").length(), path.length() - 1);
                ObjectNode t = store.get(id);
                if (t == null || id.contains("/")) {
                    return send(ex, 404, CloseError.of(404, "Empty query: Task matching query does not exist.").body, rl);
                }
                switch (effective) {
                    case "GET" -> { return send(ex, 200, fields(t, parseQuery(query).get("_fields")), rl); }
                    case "PUT" -> { return send(ex, 200, store.updateOne(id, JSON.readTree(body)), rl); }
                    case "DELETE" -> {
                        store.delete(id);
                        return send(ex, 200, JSON.createObjectNode(), rl);
                    }
                    default -> { return send(ex, 405, CloseError.of(405, "Method not allowed").body, rl); }
                }
            }
            return send(ex, 404, CloseError.of(404, "Not found: " + path).body, rl);
        } catch (CloseError e) {
            return send(ex, e.status, e.body, rl);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return send(ex, 400, CloseError.of(400, "Invalid JSON body").body, rl);
        }
    }

    private ObjectNode list(Map<String, String> params, double tz) {
        int skip = intParam(params, "_skip", 0);
        int limit = intParam(params, "_limit", 100);
        if (limit > maxLimit || limit < 1 || skip < 0) {
            throw CloseError.badRequest("_limit must be between 1 and " + maxLimit + ", _skip at least 0");
        }
        List<ObjectNode> found = store.find(params, tz);
        ObjectNode out = JSON.createObjectNode();
        ArrayNode data = out.putArray("data");
        String fields = params.get("_fields");
        for (int i = skip; i < Math.min(found.size(), skip + limit); i++) {
            data.add(fields(found.get(i), fields));
        }
        out.put("has_more", skip + limit < found.size());
        return out;
    }

    private static ObjectNode fields(ObjectNode t, String fields) {
        if (fields == null || fields.isBlank()) {
            return t;
        }
        ObjectNode out = JSON.createObjectNode();
        for (String f : fields.split(",")) {
            if (t.has(f.trim())) {
                out.set(f.trim(), t.get(f.trim()));
            }
        }
        return out;
    }

    private static int intParam(Map<String, String> p, String k, int dflt) {
        try {
            return p.containsKey(k) ? Integer.parseInt(p.get(k)) : dflt;
        } catch (NumberFormatException e) {
            throw CloseError.badRequest(k + " must be a number");
        }
    }

    private static Map<String, String> paramsOf(JsonNode p) {
        if (!p.isObject()) {
            throw CloseError.badRequest("_params must be an object");
        }
        Map<String, String> m = new LinkedHashMap<>();
        p.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().isArray()
                ? String.join(",", JSON.convertValue(e.getValue(), String[].class)) : e.getValue().asText()));
        return m;
    }

    static Map<String, String> parseQuery(String query) {
        Map<String, String> m = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return m;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            m.put(k, v);
        }
        return m;
    }

    private static double tzOffset(Map<String, String> headers) {
        String h = headers.get("x-tz-offset");
        if (h == null) {
            return 0;
        }
        try {
            return Double.parseDouble(h.trim());
        } catch (NumberFormatException e) {
            throw CloseError.badRequest("x-tz-offset must be a number of hours");
        }
    }

    static String keyOf(Map<String, String> headers) {
        String auth = headers.get("authorization");
        if (auth == null) {
            return null;
        }
        if (auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.substring(7).trim();
        }
        if (auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String up = new String(Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = up.indexOf(':');
                return colon < 0 ? up : up.substring(0, colon);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return null;
    }

    private int send429(HttpExchange ex, RateLimits.Answer rl) throws IOException {
        ex.getResponseHeaders().set("Retry-After", String.valueOf((long) Math.ceil(Math.max(rl.reset(), 0.001))));
        ex.getResponseHeaders().set("RateLimit", rl.header());
        pending.get().accept(429);
        ex.sendResponseHeaders(429, -1);
        ex.close();
        return 429;
    }

    private void sendRaw(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", body.startsWith("<") ? "text/html" : "application/json");
        pending.get().accept(status);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private int send(HttpExchange ex, int status, JsonNode body, RateLimits.Answer rl) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        if (rl != null) {
            ex.getResponseHeaders().set("RateLimit", rl.header());
        }
        pending.get().accept(status);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
        return status;
    }

    /** Starts a seeded emulator on a free loopback port; prints its base URL. For trying it by hand. */
    public static void main(String[] args) throws Exception {
        CloseEmulator e = new CloseEmulator().addKey(args.length > 0 ? args[0] : "demo");
        e.store().loadClasspathSeed();
        e.start(args.length > 1 ? Integer.parseInt(args[1]) : 0);
        System.out.println(e.baseUrl());
        Thread.currentThread().join();
    }

}
