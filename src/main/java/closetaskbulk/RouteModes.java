package closetaskbulk;

import java.util.Set;

import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import closetaskbulk.sweep.SweepSchedule;

/**
 * Which routes a mode runs, for the shipped routes and an engineer's alike (docs/ENGINEERS.md, "Which routes
 * run when"). A route left out is never created, so it needs none of what the mode lacks:
 * <ul>
 * <li>a route served by the console's HTTP server (platform-http, the REST DSL) only when that server runs
 * (the service; not --once, --sweep, --apply);</li>
 * <li>a route of group {@value #SERVICE} only in the service;</li>
 * <li>a sweep (route sweep-&lt;id&gt;) in the service and with --sweep, not with --once or --apply.</li>
 * </ul>
 * Every other route runs in every mode.
 */
final class RouteModes {

    /** The route group of routes that run only in the service. */
    static final String SERVICE = "service";

    private static final Logger LOG = LoggerFactory.getLogger(RouteModes.class);
    private static final Set<String> HTTP = Set.of("platform-http", "rest", "rest-api");

    private RouteModes() {
    }

    static void install(CamelContext context, Settings s) {
        boolean server = s.flag("camel.server.enabled");
        boolean oneOff = s.flag("bulk.once");
        boolean sweepRun = !s.get("bulk.run-sweep", "").isEmpty();
        context.getCamelContextExtension().getContextPlugin(Model.class)
                .setRouteFilter(def -> runs(def, server, oneOff, sweepRun));
    }

    static boolean runs(RouteDefinition def, boolean server, boolean oneOff, boolean sweepRun) {
        String why = null;
        if (!server && (Boolean.TRUE.equals(def.isRest()) || HTTP.contains(scheme(def)))) {
            why = "it is served by the console's HTTP server, which runs only in the service";
        } else if (oneOff && SERVICE.equals(def.getGroup())) {
            why = "its group is " + SERVICE + ": it runs only in the service";
        } else if (oneOff && !sweepRun && def.getRouteId() != null && def.getRouteId().startsWith(SweepSchedule.ROUTE_PREFIX)) {
            why = "a sweep runs in the service or with --sweep";
        }
        if (why != null) {
            LOG.debug("route {} is left out of this run: {}", def.getRouteId(), why);
        }
        return why == null;
    }

    private static String scheme(RouteDefinition def) {
        String uri = def.getInput() == null ? null : def.getInput().getEndpointUri();
        return uri == null ? "" : uri.split(":", 2)[0];
    }
}
