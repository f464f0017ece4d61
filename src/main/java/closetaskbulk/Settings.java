package closetaskbulk;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

import closetaskbulk.sweep.SweepDefinition;
import closetaskbulk.sweep.SweepDefinitionException;

/**
 * Checks the settings at start, as Camel's PropertiesComponent resolves them (so the YAML placeholders and these
 * checks always see the same values). Every mistake is one line naming the key: exit code 2.
 */
public final class Settings {

    /** A user mistake in the settings: one line, exit code 2, no stack trace. */
    public static class Invalid extends RuntimeException {
        public Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /** Settings that are true or false. */
    static final java.util.Set<String> BOOLEANS = java.util.Set.of("bulk.dry-run", "bulk.repeat",
            "close.read-before-write", "bulk.intake.enabled", "cluster.enabled", "bulk.routes-reload", "bulk.once",
            "bulk.plans.enabled", "bulk.plans.keep", "bulk.preview.enabled", "bulk.dev-tools", "bulk.demo");
    /** Settings in milliseconds: whole numbers, 0 or more. */
    static final java.util.Set<String> MILLIS = java.util.Set.of("close.connect-timeout", "close.response-timeout",
            "close.retry.initial-delay", "close.retry.max-delay", "close.rate-limit.max-wait", "bulk.poll-delay",
            "bulk.read-lock-check-interval", "bulk.read-lock-min-age", "bulk.progress-interval",
            "cluster.leader-check-interval");
    /** Whole-number settings and their smallest value. */
    static final Map<String, Integer> COUNTS = Map.of("close.batch-size", 1, "close.concurrency", 1,
            "close.list-limit", 1, "close.retry.max-attempts", 0, "close.retry.max-failed-batches", 1, "bulk.max-open-batches", 1,
            "bulk.batch-queue-size", 1, "cluster.db.pool-size", 1);
    /** Every other setting of ours (close.*, bulk.*, cluster.*); bulk.filter.* and sweep.* are checked apart. */
    static final java.util.Set<String> OTHERS = java.util.Set.of("close.base-url", "close.api-key",
            "close.max-requests-per-second", "close.rate-limit.share", "bulk.inbox", "bulk.done", "bulk.failed",
            "bulk.reports", "bulk.state", "bulk.approved", "bulk.plan.max-age", "bulk.date-format", "bulk.extra-columns", "bulk.notify.url", "bulk.notify.on",
            "bulk.routes-reload-directory", "bulk.config", "bulk.run-sweep", "bulk.plans.include", "bulk.preview",
            "console.password", "console.upload-max-bytes", "console.allowed-hosts", "cluster.db.url", "cluster.db.user",
            "cluster.db.password", "cluster.node-id");
    /** What a sweep may set: sweep.<id>.<one of these>. */
    static final java.util.Set<String> SWEEP_KEYS = java.util.Set.of("enabled", "cron", "time-zone", "filter",
            "assigned-to", "date", "is-complete", "max-tasks", "dry-run", "run-missed");

    private final Map<String, String> values;
    private final java.util.function.Function<String, String> lookup;

    private Settings(Map<String, String> values, java.util.function.Function<String, String> lookup) {
        this.values = values;
        this.lookup = lookup;
    }

    /**
     * The settings as Camel resolves them: its property locations (config/application.properties, a profile's
     * file), environment variables (CLOSE_BASE_URL for close.base-url) and -D system properties over them, and the
     * command line's overrides over all. Nothing is merged here: every value is the PropertiesComponent's.
     */
    public static Settings of(CamelContext context) {
        PropertiesComponent pc = context.getPropertiesComponent();
        java.util.Set<String> keys = new java.util.TreeSet<>(pc.loadProperties().stringPropertyNames());
        keys.addAll(System.getProperties().stringPropertyNames());
        // only ours are resolved now (they are checked); camel.* and the rest are looked up when asked for
        keys.removeIf(k -> !ours(k) && !k.startsWith("sweep."));
        // a filter may come from the environment alone (BULK_FILTER_IS_COMPLETE): each of Close's is looked up
        for (String filter : closetaskbulk.close.CloseApi.FILTERS) {
            keys.add("bulk.filter." + filter);
        }
        java.util.function.Function<String, String> lookup = k -> pc.resolveProperty(k).orElse(null);
        Map<String, String> v = new TreeMap<>();
        for (String k : keys) {
            String value = lookup.apply(k);
            if (value != null) {
                v.put(k, value);
            }
        }
        return new Settings(v, lookup);
    }

    static boolean ours(String key) {
        return key.startsWith("close.") || key.startsWith("bulk.") || key.startsWith("cluster.") || key.startsWith("console.");
    }

    public String get(String key) {
        return values.containsKey(key) ? values.get(key) : lookup.apply(key);
    }

    public String get(String key, String dflt) {
        String v = get(key);
        return v == null || v.isBlank() ? dflt : v.trim();
    }

    public boolean flag(String key) {
        return Boolean.parseBoolean(get(key, "false"));
    }

    public Map<String, String> all() {
        return values;
    }

    /** Settings whose key starts with prefix, prefix removed (e.g. bulk.filter.). */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> m = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix) && v != null && !v.isBlank()) {
                m.put(k.substring(prefix.length()), v.trim());
            }
        });
        return m;
    }

    /** Checks what would otherwise fail later, or silently. Throws {@link Invalid} naming the setting. */
    public void validate() {
        checkNames();
        for (String k : BOOLEANS) {
            checkBoolean(k);
        }
        for (String id : sweepIds()) {
            checkBoolean("sweep." + id + ".enabled");
            checkBoolean("sweep." + id + ".dry-run");
            checkBoolean("sweep." + id + ".run-missed");
        }
        for (String k : MILLIS) {
            if (values.containsKey(k) && intSetting(k) < 0) {
                throw new Invalid(k + "=" + get(k) + " must be 0 or more milliseconds");
            }
        }
        COUNTS.forEach((k, min) -> {
            if (values.containsKey(k) && intSetting(k) < min) {
                throw new Invalid(k + "=" + get(k) + " must be at least " + min);
            }
        });
        String perSecond = get("close.max-requests-per-second", "0");
        try {
            if (Double.parseDouble(perSecond) < 0) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new Invalid("close.max-requests-per-second=" + perSecond + " must be a number, 0 or more (0: follow "
                    + "Close's RateLimit header only)");
        }
        String key = get("close.api-key", "");
        if (key.isEmpty()) {
            throw new Invalid("close.api-key is not set: export CLOSE_API_KEY=<your Close API key> "
                    + "(or try it without an account: --demo)");
        }
        if (key.contains("{{")) {
            throw new Invalid("close.api-key holds an unresolved placeholder: set CLOSE_API_KEY in the environment");
        }
        int batch = intSetting("close.batch-size");
        if (batch < 1 || batch > 999) {
            throw new Invalid("close.batch-size=" + batch + " is out of range: use 1 to 999 (Close refuses "
                    + "bulk updates of 1,000 or more tasks)");
        }
        int concurrency = intSetting("close.concurrency");
        if (concurrency < 1 || concurrency > 16) {
            throw new Invalid("close.concurrency=" + concurrency + " is out of range: use 1 to 16 (batches in flight at once)");
        }
        int listLimit = intSetting("close.list-limit");
        if (listLimit < 1) {
            throw new Invalid("close.list-limit=" + listLimit + " must be at least 1 (Close's default page is 100)");
        }
        for (String k : new String[] {"close.connect-timeout", "close.response-timeout"}) {
            if (intSetting(k) < 1) {
                throw new Invalid(k + " must be a positive number of milliseconds (0 would wait forever)");
            }
        }
        if (flag("cluster.enabled")) {
            String url = get("cluster.db.url", "");
            if (url.isEmpty()) {
                throw new Invalid("cluster.db.url is not set: export CLOSE_DB_URL=jdbc:postgresql://<host>:5432/<database> "
                        + "(and CLOSE_DB_USER, CLOSE_DB_PASSWORD); see docs/CLUSTER.md");
            }
            if (!url.startsWith("jdbc:postgresql://")) {
                throw new Invalid("cluster.db.url must be a PostgreSQL JDBC URL (jdbc:postgresql://<host>:5432/<database>)");
            }
            if (flag("bulk.once") || !get("bulk.run-sweep", "").isEmpty()) {
                throw new Invalid("the cluster profile runs as a service: --once and --sweep are for one process alone "
                        + "(leave camel.main.profile unset for them)");
            }
            if (intSetting("cluster.leader-check-interval") < 100) {
                throw new Invalid("cluster.leader-check-interval must be at least 100 ms");
            }
        }
        String share = get("close.rate-limit.share", "1");
        try {
            double v = Double.parseDouble(share);
            if (!(v > 0 && v <= 1)) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new Invalid("close.rate-limit.share=" + share + " must be a number above 0 and at most 1 "
                    + "(the part of Close's rate limit this instance uses: 1 alone, 0.5 for two instances on one key)");
        }
        if (intSetting("bulk.batch-queue-size") < 1) {
            throw new Invalid("bulk.batch-queue-size must be at least 1 (batches waiting for the close.concurrency workers)");
        }
        if (intSetting("bulk.progress-interval") < 0) {
            throw new Invalid("bulk.progress-interval must be 0 or more milliseconds (0 logs progress at every step)");
        }
        String base = get("close.base-url", "");
        URI uri;
        try {
            uri = URI.create(base);
        } catch (IllegalArgumentException e) {
            throw new Invalid("close.base-url=" + base + " is not a URL: use https://api.close.com/api/v1");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new Invalid("close.base-url=" + base + " is not an http(s) URL: use https://api.close.com/api/v1");
        }
        if (scheme.equals("http") && !isLoopback(uri.getHost())) {
            throw new Invalid("close.base-url=" + base + " uses plain http:// to a host that is not this machine: "
                    + "use https:// (the API key would travel in clear text)");
        }
        planMaxAge();
        dateFormat();
        extraColumns();
        notifyAlways();
        console();
        httpServers();
        validateSweeps();
        for (String dir : new String[] {"bulk.inbox", "bulk.done", "bulk.failed", "bulk.reports", "bulk.state",
                "bulk.approved", "bulk.preview"}) {
            if (values.containsKey(dir) && values.get(dir).isBlank()) {
                throw new Invalid(dir + " is empty: name a folder (see config/application.properties)");
            }
            Path p = Path.of(get(dir, ""));
            try {
                Files.createDirectories(p);
            } catch (IOException | SecurityException e) {
                throw new Invalid(dir + "=" + p + " cannot be created: " + e.getMessage()
                        + " (point it at a writable folder)");
            }
            if (!Files.isReadable(p) || !Files.isWritable(p)) {
                throw new Invalid(dir + "=" + p + " is not readable and writable by this user: fix its "
                        + "permissions or point " + dir + " elsewhere");
            }
        }
    }

    /** The console: a port, an upload limit, and a password whenever it listens beyond this machine. */
    private void console() {
        uploadMaxBytes();
        if (!flag("camel.server.enabled")) {
            return;
        }
        String port = get("camel.server.port", "8080").trim();
        try {
            int p = Integer.parseInt(port);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new Invalid("camel.server.port=" + port + " is not a port: use 1 to 65535 (the console's port)");
        }
        String host = get("camel.server.host", "0.0.0.0").trim();
        if (!isLoopback(host) && get("console.password", "").isEmpty()) {
            throw new Invalid("camel.server.host=" + host + " serves the console beyond this machine without a password: "
                    + "set CONSOLE_PASSWORD, or use camel.server.host=127.0.0.1");
        }
    }

    /** console.upload-max-bytes: the largest file the console's page accepts, in bytes. */
    public long uploadMaxBytes() {
        long max;
        try {
            max = Long.parseLong(get("console.upload-max-bytes", "52428800").trim());
        } catch (NumberFormatException e) {
            max = -1;
        }
        if (max < 1) {
            throw new Invalid("console.upload-max-bytes=" + get("console.upload-max-bytes", "") + " must be a number of "
                    + "bytes above 0 (e.g. 52428800 for 50 MB)");
        }
        return max;
    }

    /** The shortest console.password accepted: it guards the console, its routes and the management server. */
    static final int MIN_PASSWORD = 12;

    /**
     * What the HTTP servers (console, management) need: a password long enough, the management server's
     * developer consoles and metrics beyond loopback only with a password, one address for a shared port, and
     * console.allowed-hosts made of host names.
     */
    private void httpServers() {
        for (String unshipped : java.util.List.of("camel.server.authentication-enabled",
                "camel.server.authenticationEnabled", "camel.management.authentication-enabled",
                "camel.management.authenticationEnabled")) {
            if (flag(unshipped)) {
                throw new Invalid(unshipped + "=true is not supported: console.password guards the console and the "
                        + "management server (set CONSOLE_PASSWORD; README \"The console\")");
            }
        }
        boolean server = flag("camel.server.enabled");
        boolean management = flag("camel.management.enabled");
        if (!server && !management) {
            return;
        }
        String password = get("console.password", "");
        if (!password.isEmpty() && password.length() < MIN_PASSWORD) {
            throw new Invalid("console.password is " + password.length() + " characters long: use at least "
                    + MIN_PASSWORD + " (the console and its routes are open to whoever guesses it)");
        }
        allowedHosts();
        if (!management) {
            return;
        }
        String host = get("camel.management.host", "0.0.0.0").trim();
        boolean devTools = flag("bulk.dev-tools") || flag("camel.management.dev-console-enabled");
        if (!isLoopback(host) && password.isEmpty() && (devTools || flag("camel.management.metrics-enabled"))) {
            throw new Invalid("camel.management.host=" + host + " serves " + (devTools ? "Camel's developer consoles"
                    : "metrics") + " beyond this machine without a password: set CONSOLE_PASSWORD, or use "
                    + "camel.management.host=127.0.0.1");
        }
        String serverHost = get("camel.server.host", "0.0.0.0").trim();
        if (server && get("camel.management.port", "9876").trim().equals(get("camel.server.port", "8080").trim())
                && !host.equalsIgnoreCase(serverHost)) {
            throw new Invalid("camel.management.port=" + get("camel.management.port", "") + " is the console's port, but "
                    + "camel.management.host=" + host + " is not camel.server.host=" + serverHost + ": one server has one "
                    + "address (use another camel.management.port, or the same host)");
        }
    }

    /** console.allowed-hosts: more names the HTTP servers answer to, besides their address and localhost. */
    public java.util.List<String> allowedHosts() {
        java.util.List<String> hosts = new java.util.ArrayList<>();
        for (String h : get("console.allowed-hosts", "").split(",")) {
            String name = h.trim().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                continue;
            }
            if (!name.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?|\\[[0-9a-f:.]+]")) {
                throw new Invalid("console.allowed-hosts: '" + h.trim() + "' is not a host name (write names like "
                        + "bulk.example.com, comma-separated, without a port)");
            }
            hosts.add(name);
        }
        return hosts;
    }

    /** bulk.plan.max-age: 24h, 90m, 2d, 3600s, or an ISO-8601 duration (PT24H). */
    public java.time.Duration planMaxAge() {
        String v = get("bulk.plan.max-age", "24h").trim();
        try {
            java.util.regex.Matcher m = Pattern.compile("(\\d+)\\s*([smhd])").matcher(v.toLowerCase(Locale.ROOT));
            java.time.Duration d;
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                d = switch (m.group(2)) {
                    case "s" -> java.time.Duration.ofSeconds(n);
                    case "m" -> java.time.Duration.ofMinutes(n);
                    case "h" -> java.time.Duration.ofHours(n);
                    default -> java.time.Duration.ofDays(n);
                };
            } else {
                d = java.time.Duration.parse(v);
            }
            if (d.isNegative() || d.isZero()) {
                throw new java.time.format.DateTimeParseException("not positive", v, 0);
            }
            return d;
        } catch (RuntimeException e) {
            throw new Invalid("bulk.plan.max-age=" + v + " is not a duration: write it like 24h, 90m, 2d or 3600s");
        }
    }

    /** bulk.date-format: empty (ISO dates only), or one date pattern like MM/dd/yyyy or dd.MM.yyyy. */
    public String dateFormat() {
        String v = get("bulk.date-format", "").trim();
        if (v.isEmpty()) {
            return v;
        }
        try {
            java.time.format.DateTimeFormatter f = java.time.format.DateTimeFormatter.ofPattern(v, Locale.ROOT);
            java.time.LocalDate sample = java.time.LocalDate.of(2026, 3, 21);
            if (!v.contains("y") && !v.contains("u") || !java.time.LocalDate.parse(f.format(sample), f).equals(sample)) {
                throw new IllegalArgumentException();
            }
            return v;
        } catch (RuntimeException e) {
            throw new Invalid("bulk.date-format=" + v + " is not a date pattern with day, month and year: write it "
                    + "like MM/dd/yyyy or dd.MM.yyyy");
        }
    }

    /** bulk.extra-columns: true for carry (the default), false for reject. */
    public boolean extraColumns() {
        String v = get("bulk.extra-columns", "carry").trim().toLowerCase(Locale.ROOT);
        if (!v.equals("carry") && !v.equals("reject")) {
            throw new Invalid("bulk.extra-columns=" + v + " must be carry (other columns go to the reports) or reject "
                    + "(other columns refuse the file)");
        }
        return v.equals("carry");
    }

    /**
     * bulk.notify.on: true for always, false for failure (the default). Checks bulk.notify.url too, never
     * showing it (a webhook URL is a secret): https, or http only to this machine.
     */
    public boolean notifyAlways() {
        String on = get("bulk.notify.on", "failure").trim().toLowerCase(Locale.ROOT);
        if (!on.equals("failure") && !on.equals("always")) {
            throw new Invalid("bulk.notify.on=" + on + " must be failure (a run whose exit code is not 0) or always");
        }
        String url = get("bulk.notify.url", "").trim();
        if (!url.isEmpty()) {
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new Invalid("bulk.notify.url is not a URL (its value is not shown: a webhook URL is a secret)");
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
                throw new Invalid("bulk.notify.url is not an https:// URL (its value is not shown: a webhook URL is a secret)");
            }
            if (scheme.equals("http") && !isLoopback(uri.getHost())) {
                throw new Invalid("bulk.notify.url uses plain http:// to a host that is not this machine: use https://");
            }
        }
        return on.equals("always");
    }

    /** The ids of the sweeps configured as sweep.<id>.* settings. */
    public java.util.Set<String> sweepIds() {
        java.util.Set<String> ids = new java.util.TreeSet<>();
        values.keySet().forEach(k -> {
            if (k.startsWith("sweep.") && k.indexOf('.', 6) > 6) {
                ids.add(k.substring(6, k.indexOf('.', 6)));
            }
        });
        return ids;
    }

    /** A sweep configured in settings must have a filter, an update, a valid cron and time zone. */
    void validateSweeps() {
        for (String id : sweepIds()) {
            String p = "sweep." + id + ".";
            String cron = get(p + "cron", "");
            if (!org.quartz.CronExpression.isValidExpression(cron)) {
                throw new Invalid(p + "cron='" + cron + "' is not a Quartz cron: e.g. '0 0 2 * * ?' (02:00 every day)");
            }
            try {
                java.time.ZoneId.of(get(p + "time-zone", "UTC"));
            } catch (RuntimeException e) {
                throw new Invalid(p + "time-zone='" + get(p + "time-zone", "") + "' is unknown: e.g. Europe/Berlin");
            }
            try {
                SweepDefinition.checkFilter(id, SweepDefinition.parse(get(p + "filter", "")));
                Map<String, String> u = new java.util.LinkedHashMap<>();
                for (String f : closetaskbulk.close.CloseApi.UPDATE_FIELDS) {
                    String v = get(p + f.replace('_', '-'), "");
                    if (!v.isEmpty()) {
                        u.put(f, v.contains("${") ? null : v); // relative values are checked when they run
                    }
                }
                if (u.isEmpty()) {
                    throw new SweepDefinitionException("sweep " + id + " has no update: set "
                            + p + "assigned-to, " + p + "date or " + p + "is-complete");
                }
                u.values().removeIf(java.util.Objects::isNull);
                if (!u.isEmpty()) {
                    SweepDefinition.checkUpdate(id, u);
                }
            } catch (SweepDefinitionException e) {
                throw new Invalid(e.getMessage());
            }
        }
    }

    public int intSetting(String key) {
        String v = get(key, "");
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new Invalid(key + "=" + v + " is not a whole number" + (MILLIS.contains(key) ? " of milliseconds" : ""));
        }
    }

    private void checkBoolean(String key) {
        String v = get(key, "false");
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw new Invalid(key + "=" + v + " must be true or false");
        }
    }

    /** Every close.*, bulk.*, cluster.* and sweep.* setting is one we know: a misspelt one is named. */
    private void checkNames() {
        java.util.Set<String> known = new java.util.TreeSet<>(OTHERS);
        known.addAll(BOOLEANS);
        known.addAll(MILLIS);
        known.addAll(COUNTS.keySet());
        for (String k : values.keySet()) {
            if (ours(k) && !known.contains(k) && !k.startsWith("bulk.filter.")) {
                throw new Invalid("unknown setting " + k + closest(k, known));
            }
            if (k.startsWith("sweep.")) {
                int dot = k.indexOf('.', 6);
                String rest = dot < 0 ? "" : k.substring(dot + 1);
                if (dot < 0 || !SWEEP_KEYS.contains(rest)) {
                    throw new Invalid("unknown setting " + k + ": a sweep's settings are sweep.<id>.<"
                            + String.join("|", new java.util.TreeSet<>(SWEEP_KEYS)) + ">");
                }
            }
        }
    }

    private static String closest(String key, java.util.Set<String> known) {
        String hint = closetaskbulk.ops.Names.didYouMean(key, known);
        return hint.isEmpty() ? " (see config/application.properties for the settings)" : hint;
    }

    /** A literal loopback address (127.0.0.0/8, ::1) or localhost: not a host name that only starts like one. */
    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}") || h.equals("[::1]")
                || h.equals("::1");
    }
}
