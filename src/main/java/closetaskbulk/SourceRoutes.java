package closetaskbulk;

import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.ModelLifecycleStrategy;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;

/**
 * Which source routes Camel starts, each by its setting. The YAML DSL's schema types a route's autoStartup as a
 * boolean, so the route files say {@code autoStartup: false} (valid for the schema, and for tools such as Kaoto
 * that read it) and the setting is named here: Camel resolves it when it starts the route, as it resolved the
 * placeholder that stood in the YAML before. Applied to the model, before any route starts, so the cluster's
 * leadership policy sees the same autoStartup as ever.
 */
final class SourceRoutes implements ModelLifecycleStrategy {

    /** route id: whether it starts */
    static final Map<String, String> STARTED_BY = Map.of(
            "csv-intake", "{{bulk.intake.enabled}}",
            "plan-intake", "{{bulk.plans.enabled:true}}",
            "preview-intake", "{{bulk.preview.enabled:true}}");
    /** The sweep template (routes/sweep.camel.yaml): each sweep starts by its own parameter. */
    static final String SWEEP_TEMPLATE = "sweep";
    static final String SWEEP_STARTED_BY = "{{enabled}}";

    static void install(CamelContext context) {
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        SourceRoutes routes = new SourceRoutes();
        model.getRouteDefinitions().forEach(routes::onAddRouteDefinition);
        model.getRouteTemplateDefinitions().forEach(routes::onAddRouteTemplateDefinition);
        model.addModelLifecycleStrategy(routes);
    }

    @Override
    public void onAddRouteDefinition(RouteDefinition route) {
        String startedBy = STARTED_BY.get(route.getRouteId());
        if (startedBy != null) {
            route.setAutoStartup(startedBy);
        }
    }

    @Override
    public void onAddRouteTemplateDefinition(RouteTemplateDefinition template) {
        if (SWEEP_TEMPLATE.equals(template.getId()) && template.getRoute() != null) {
            template.getRoute().setAutoStartup(SWEEP_STARTED_BY);
        }
    }

    @Override
    public void onRemoveRouteDefinition(RouteDefinition route) {
    }

    @Override
    public void onRemoveRouteTemplateDefinition(RouteTemplateDefinition template) {
    }
}
