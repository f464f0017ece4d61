package closetaskbulk;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.spi.RoutesLoader;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Route reload for a bundle whose routes span several files (bulk.routes-reload; on in --demo). Camel's own
 * strategy reloads "the files the running routes came from": a file with several routes is then loaded
 * once per route (a duplicate route id), and a file with only a route template or a route configuration
 * is not reloaded at all (the sweeps made from the template vanish). This one reloads the whole set of
 * route files (camel.main.routes-include-pattern) on any change, as at start-up: route configurations
 * first, then routes and templates, then templated routes. A file that does not parse leaves the running
 * routes as they are.
 */
public class RouteReloader extends RouteWatcherReloadStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(RouteReloader.class);

    private final String includePattern;

    public RouteReloader(String directory, String includePattern) {
        super(directory, true);
        this.includePattern = includePattern;
        setPattern("**/*.camel.yaml");
    }

    @Override
    protected void onRouteReload(Collection<Resource> changed, boolean removeEverything) {
        CamelContext ctx = getCamelContext();
        String what = changed == null || changed.isEmpty() ? "a change" : changed.iterator().next().getLocation();
        try {
            List<Resource> files = routeFiles(ctx);
            RoutesLoader loader = PluginHelper.getRoutesLoader(ctx);
            loader.findRoutesBuilders(files); // parse every file first: a broken one changes nothing
            ctx.getRouteController().removeAllRoutes();
            ctx.removeRouteTemplates("*");
            Model model = ctx.getCamelContextExtension().getContextPlugin(Model.class);
            for (RouteConfigurationDefinition rc : List.copyOf(model.getRouteConfigurationDefinitions())) {
                model.removeRouteConfiguration(rc);
            }
            loader.loadRoutes(files);
            LOG.info("routes reloaded after a change to {}: {} routes from {} files", what, ctx.getRoutes().size(),
                    files.size());
        } catch (Exception e) {
            LOG.error("route reload after a change to {} failed: {}. Fix the file and save it again", what,
                    e.getMessage());
            LOG.debug("route reload failed", e);
        }
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
}
