package closetaskbulk;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;
import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.FailedToStartRouteException;
import org.apache.camel.Route;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.camel.model.Model;
import org.apache.camel.model.ModelLifecycleStrategy;
import org.apache.camel.model.ModelLifecycleStrategySupport;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.RoutePolicySupport;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Route reload for a bundle whose routes span several files (bulk.routes-reload; on in --demo). Camel's own
 * strategy (4.17/4.18) reloads "the files the running routes came from" (a file with several routes collides
 * with itself, a file with only a template is never reloaded) and drops the running routes before it knows
 * the new ones work. This one:
 * <ul>
 * <li>reloads the whole set of route files (camel.main.routes-include-pattern), as at start-up;</li>
 * <li>is all or nothing: a file that does not parse changes nothing; one that parses but cannot run (an
 * unknown bean, endpoint or option, a duplicate route id) is replaced at once by the last set that ran, read
 * from memory, so the routes are exactly as before;</li>
 * <li>never touches a run: the consumers that start work (files, schedules) pause, and the swap waits until
 * nothing is in flight;</li>
 * <li>says what failed in one line (file, line, column, cause), counts it, and keeps the health check
 * {@code routes-reload} DOWN until a save that works.</li>
 * </ul>
 */
public class RouteReloader extends RouteWatcherReloadStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(RouteReloader.class);
    /** Consumers the pipeline itself needs while a run finishes, or that start nothing: never paused. */
    private static final Set<String> KEEP_RUNNING = Set.of("direct", "seda", "kamelet", "platform-http", "rest");
    private static final Pattern YAML_MARK = Pattern.compile("in (\\S+?\\.yaml), line (\\d+), column (\\d+)");

    private final String includePattern;
    /** The route files of the set that runs now (location to text): what a failed reload goes back to. */
    private Map<String, String> running = Map.of();
    /** The files the last reload tried, whether it worked or not. */
    private Map<String, String> lastTried = Map.of();
    private volatile String lastFailure;
    private final HealthCheck health = new Health();
    private boolean failedNow;
    private boolean skipped;

    public RouteReloader(String directory, String includePattern) {
        super(directory, true);
        this.includePattern = includePattern;
        setPattern("**/*.camel.yaml");
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        running = read(routeFiles(getCamelContext()));
        lastTried = running;
    }

    /** Its health check, bound in the registry by Bundle: Camel's health-check registry takes it from there. */
    public HealthCheck health() {
        return health;
    }

    /** The last reload's failure, or null once a reload worked. */
    public String lastFailure() {
        return lastFailure;
    }

    @Override
    protected void onRouteReload(Collection<Resource> changed, boolean removeEverything) {
        CamelContext ctx = getCamelContext();
        String what = changed == null || changed.isEmpty() ? "a change" : changed.iterator().next().getLocation();
        failedNow = false;
        skipped = false;
        Map<String, String> files;
        try {
            files = settled(ctx);
            if (files.equals(lastTried)) { // one save can raise several events: the same files are tried once
                skipped = true;
                return;
            }
            lastTried = files;
            PluginHelper.getRoutesLoader(ctx).findRoutesBuilders(resources(files)); // YAML syntax: nothing is touched
        } catch (Exception e) {
            failed(what, cause(ctx, e), e, "the routes were left as they were");
            return;
        }
        pauseSources(ctx);
        awaitIdle(ctx);
        if (!ctx.isStarted()) { // the service stops
            return;
        }
        try {
            replaceRoutes(ctx, files);
            running = files;
            lastFailure = null;
            LOG.info("routes reloaded after a change to {}: {} routes from {} files", what, ctx.getRoutes().size(), files.size());
        } catch (Exception e) {
            String why = cause(ctx, e); // before the definitions it names are gone
            try {
                replaceRoutes(ctx, running);
                failed(what, why, e, "the routes from before it run again");
            } catch (Exception again) {
                failed(what, why, e, "and putting back the routes from before it failed too (" + cause(ctx, again)
                        + "): restart the service");
            }
        }
    }

    /** The files once they stop changing (an editor may truncate, then write). */
    private Map<String, String> settled(CamelContext ctx) throws Exception {
        Map<String, String> files = read(routeFiles(ctx));
        for (int i = 0; i < 20; i++) {
            Thread.sleep(100);
            Map<String, String> again = read(routeFiles(ctx));
            if (again.equals(files)) {
                break;
            }
            files = again;
        }
        return files;
    }

    /** The watcher counts every reload that returns as a success: not one that failed. */
    @Override
    protected void incSucceededCounter() {
        if (!failedNow && !skipped) {
            super.incSucceededCounter();
        }
    }

    private void failed(String what, String why, Exception e, String outcome) {
        failedNow = true;
        lastFailure = "route reload after a change to " + what + " failed: " + why + "; " + outcome;
        setLastError(e);
        incFailedCounter();
        LOG.error("{}. Fix the file and save it again", lastFailure);
        LOG.debug("route reload failed", e);
    }

    /** Every route, template and route configuration goes; the given files are loaded as at start-up. */
    private static void replaceRoutes(CamelContext ctx, Map<String, String> files) throws Exception {
        ctx.getRouteController().removeAllRoutes();
        ctx.removeRouteTemplates("*");
        Model model = ctx.getCamelContextExtension().getContextPlugin(Model.class);
        for (RouteConfigurationDefinition rc : List.copyOf(model.getRouteConfigurationDefinitions())) {
            model.removeRouteConfiguration(rc);
        }
        // what is left of a failed load: definitions whose route never started
        model.removeRouteDefinitions(List.copyOf(model.getRouteDefinitions()));
        // a Kamelet endpoint outlives its route: used again, it would wait for a consumer that is gone
        ctx.removeEndpoints("kamelet:*");
        Map<String, String> ids = new LinkedHashMap<>();
        List<String> duplicates = new ArrayList<>();
        List<Route> held = new ArrayList<>();
        RoutePolicySupport hold = new RoutePolicySupport() { // no work starts before the whole set is in
            @Override
            public void onStart(Route route) {
                if (pauses(route)) {
                    ServiceHelper.suspendService(route.getConsumer());
                    held.add(route);
                }
            }
        };
        ModelLifecycleStrategy seen = new ModelLifecycleStrategySupport() {
            @Override
            public void onAddRouteDefinition(RouteDefinition def) {
                String where = where(def.getLocation(), def.getLineNumber());
                String before = ids.putIfAbsent(def.getRouteId(), where);
                if (before != null) {
                    duplicates.add("route id " + def.getRouteId() + " is used twice (" + before + " and " + where + ")");
                }
                def.routePolicy(hold);
            }
        };
        model.addModelLifecycleStrategy(seen);
        try {
            PluginHelper.getRoutesLoader(ctx).loadRoutes(resources(files));
        } finally {
            model.removeModelLifecycleStrategy(seen);
        }
        if (!duplicates.isEmpty()) { // Camel would let the second replace the first
            throw new IllegalStateException(String.join("; ", duplicates));
        }
        closetaskbulk.sweep.SweepSchedule.check(ctx); // as at start-up
        held.forEach(r -> ServiceHelper.resumeService(r.getConsumer()));
    }

    /** File and schedule consumers stop taking work; the routes a run needs go on. */
    private static void pauseSources(CamelContext ctx) {
        for (Route r : ctx.getRoutes()) {
            if (pauses(r)) {
                try {
                    ServiceHelper.suspendService(r.getConsumer());
                } catch (RuntimeException e) {
                    LOG.warn("route reload: could not pause route {}: {}", r.getRouteId(), e.toString());
                }
            }
        }
    }

    /** A route whose consumer starts work (a file, a schedule), not one a run needs while it finishes. */
    private static boolean pauses(Route r) {
        return r.getConsumer() != null && !KEEP_RUNNING.contains(r.getEndpoint().getEndpointUri().split(":", 2)[0]);
    }

    /** Until nothing is in flight: a run under way finishes on the routes it started on. */
    private static void awaitIdle(CamelContext ctx) {
        long next = System.nanoTime();
        while (ctx.getInflightRepository().size() > 0 && ctx.isStarted()) {
            if (System.nanoTime() - next >= 0) {
                LOG.info("route reload waits for the work under way to finish ({} in flight); new files wait too",
                        ctx.getInflightRepository().size());
                next = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * One line: where (file, line, and column where the parser knows it) and why, from the innermost exception
     * that says something.
     */
    static String cause(CamelContext ctx, Throwable e) {
        String where = null;
        String why = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (where == null && t instanceof FailedToCreateRouteException f) {
                where = where(ctx, f.getRouteId(), f.getLocation());
            } else if (where == null && t instanceof FailedToStartRouteException f) {
                where = where(ctx, f.getRouteId(), f.getLocation());
            }
            if (m == null || m.isBlank()) {
                continue;
            }
            if (where == null) {
                Matcher mark = YAML_MARK.matcher(m);
                if (mark.find()) {
                    where = where(mark.group(1), Integer.parseInt(mark.group(2))) + ":" + mark.group(3);
                }
            }
            why = m;
        }
        why = (why == null ? e.toString() : why).replaceAll(" ?in \\S+?\\.yaml, line \\d+, column \\d+:", "")
                .strip().replaceAll("\\s*\\R\\s*", " ");
        return where == null ? why : where + ": " + why;
    }

    /** Where a route that failed is defined: Camel's location, else its definition's. */
    private static String where(CamelContext ctx, String routeId, String location) {
        if (location != null && !location.isBlank()) {
            return where(location, -1);
        }
        RouteDefinition def = routeId == null ? null
                : ctx.getCamelContextExtension().getContextPlugin(Model.class).getRouteDefinition(routeId);
        return def == null ? null : where(def.getLocation(), def.getLineNumber()) + " (route " + routeId + ")";
    }

    /** "routes/x.camel.yaml:12" from a source location (file:routes/x.camel.yaml, or with :12 already). */
    private static String where(String location, int line) {
        if (location == null || location.isBlank()) {
            return "(unknown file)";
        }
        String file = location.startsWith("file:") ? location.substring(5) : location;
        return line > 0 ? file + ":" + line : file;
    }

    private static Map<String, String> read(List<Resource> files) throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        for (Resource r : files) {
            try (var in = r.getInputStream()) {
                m.put(r.getLocation(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return m;
    }

    private static List<Resource> resources(Map<String, String> files) {
        List<Resource> list = new ArrayList<>();
        files.forEach((location, text) -> list.add(ResourceHelper.fromString(location, text)));
        return list;
    }

    /** Every file of camel.main.routes-include-pattern, each once, in pattern order. */
    private List<Resource> routeFiles(CamelContext ctx) throws Exception {
        Set<Resource> files = new LinkedHashSet<>();
        for (String pattern : includePattern.split(",")) {
            if (!pattern.isBlank()) {
                files.addAll(PluginHelper.getPackageScanResourceResolver(ctx).findResources(pattern.trim()));
            }
        }
        return new ArrayList<>(files);
    }

    /** DOWN while the last reload failed: the service runs the routes from before it, not what is on disk. */
    private final class Health extends AbstractHealthCheck {
        Health() {
            super("close-task-bulk", "routes-reload");
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            String failure = lastFailure;
            builder.detail("reloads", getReloadCounter()).detail("failed", getFailedCounter());
            if (failure == null) {
                builder.up();
            } else {
                builder.message(failure).down();
            }
        }
    }
}
