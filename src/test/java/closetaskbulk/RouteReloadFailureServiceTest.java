package closetaskbulk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.camel.ServiceStatus;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A route reload is all or nothing: a save that cannot run (an unknown bean, field, endpoint option, a route id
 * used twice, a YAML syntax error) leaves exactly the routes that ran, says where and why in one line, counts
 * as failed and keeps health DOWN until a save that works.
 */
class RouteReloadFailureServiceTest extends ServiceTestSupport {

    private static Path routes;

    @Override
    protected void prepare(Fixture fx) {
        routes = fx.dir.resolve("routes");
        RouteReloadServiceTest.copy(Path.of("routes"), routes);
        fx.set("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml,file:" + routes + "/sweeps/*.camel.yaml");
        fx.set("bulk.routes-reload", "true").set("bulk.routes-reload-directory", routes.toString());
    }

    @Test
    void aSaveThatCannotRunLeavesTheRoutesAsTheyWere() throws Exception {
        RouteReloader reloader = context.getRegistry().lookupByNameAndType("routeReloader", RouteReloader.class);
        Path errors = routes.resolve("errors.camel.yaml");
        String good = Files.readString(errors);
        List<String> expected = routeIds();
        String[][] bad = {
            {"- route:\n    id: broken\n    from:\n      uri: direct:broken\n      steps:\n        - bean:\n            ref: noSuchBean\n",
                "noSuchBean", "errors.camel.yaml:"},
            {"- route:\n    id: broken\n    from:\n      uri: direct:broken\n      steps:\n        - log:\n            message: x\n            nosuchfield: x\n",
                "nosuchfield", "errors.camel.yaml:"},
            {"- route:\n    id: broken\n    from:\n      uri: file:xx?noSuchOption=1\n      steps:\n        - log: x\n",
                "noSuchOption", "errors.camel.yaml"},
            {"- route:\n    id: run\n    from:\n      uri: direct:broken\n      steps:\n        - log: x\n",
                "route id run is used twice", "run.camel.yaml:"},
            {"- route:\n    id: broken\n    from:\n      uri: direct:broken\n      steps:\n        - bean: {ref: [sweeps\n",
                "expected", "errors.camel.yaml:"},
            // a sweep written only in YAML is checked at a reload as at start
            {"- templatedRoute:\n    routeTemplateRef: sweep\n    routeId: sweep-typo\n    parameters:\n"
                + "      - name: sweepId\n        value: typo\n      - name: cron\n        value: \"0 0 2 * * ?\"\n"
                + "      - name: filter\n        value: \"is_complete=false&asigned_to=x\"\n"
                + "      - name: isComplete\n        value: \"true\"\n",
                "'asigned_to' is not a Close task filter (did you mean assigned_to?)", "typo"},
        };
        int failed = 0;
        for (String[] b : bad) {
            Files.writeString(errors, good + b[0]);
            int expectFailed = ++failed;
            await().atMost(30, TimeUnit.SECONDS).until(() -> reloader.getFailedCounter() == expectFailed);
            String line = reloader.lastFailure();
            assertTrue(line.contains(b[1]) && line.contains(b[2]) && !line.contains("\n"), line);
            if (b[1].equals("expected")) { // the parser knows the column: file:line:column
                assertTrue(line.matches(".*errors\\.camel\\.yaml:\\d+:\\d+.*"), line);
            }
            assertEquals(expected, routeIds(), line);
            assertEquals(ServiceStatus.Started, context.getRouteController().getRouteStatus("csv-intake"), line);
            assertEquals(ServiceStatus.Started, context.getRouteController().getRouteStatus("run"), line);
            var health = reloadHealth();
            assertEquals(HealthCheck.State.DOWN, health.getState(), line);
            assertTrue(health.getMessage().orElse("").contains(b[1]), health.getMessage().toString());
        }
        assertEquals(0, reloader.getReloadCounter());
        // the routes that run still work
        List<String> ids = f.seed(3);
        f.drop("while-broken.csv", Fixture.csv("id,date", ids.stream().map(i -> i + ",2026-12-24").toList()));
        await().atMost(20, TimeUnit.SECONDS).until(() -> f.files(f.done).contains("while-broken.csv"));
        // a good save: health UP again, counted as reloaded
        Files.writeString(errors, good + "\n# fixed\n");
        await().atMost(30, TimeUnit.SECONDS).until(() -> reloader.getReloadCounter() == 1);
        assertNull(reloader.lastFailure());
        assertEquals(failed, reloader.getFailedCounter());
        assertEquals(expected, routeIds());
        assertEquals(HealthCheck.State.UP, reloadHealth().getState());
    }

    private HealthCheck.Result reloadHealth() {
        return HealthCheckRegistry.get(context).getCheck("routes-reload").orElseThrow().call();
    }

    private List<String> routeIds() {
        return context.getRoutes().stream().map(r -> r.getRouteId()).sorted().toList();
    }
}
