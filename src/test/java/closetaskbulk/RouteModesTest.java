package closetaskbulk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An engineer's own route files run in the modes that can run them: a route on the console's HTTP server and a
 * route of group service are left out of a one-off run, which does its work and exits 0.
 */
class RouteModesTest {

    private final Fixture f = new Fixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void aOneOffRunLeavesOutHttpAndServiceRoutes() throws Exception {
        Path mine = f.dir.resolve("my-routes");
        Files.createDirectories(mine);
        Files.writeString(mine.resolve("hook.camel.yaml"), """
                - route:
                    id: my-hook
                    from:
                      uri: platform-http:/hooks/complete
                      steps:
                        - to: kamelet:close-task-bulk-update-sink?isComplete=true
                - route:
                    id: my-nightly-report
                    group: service
                    from:
                      uri: scheduler:report?initialDelay=0&repeatCount=1
                      steps:
                        - bean:
                            ref: noSuchBeanInOneOffRuns
                """);
        f.set("camel.main.routes-include-pattern",
                "file:routes/*.camel.yaml,file:routes/sweeps/*.camel.yaml,file:" + mine + "/*.camel.yaml");
        List<String> ids = f.seed(2);
        f.drop("two.csv", Fixture.csv("id,is_complete", ids.stream().map(i -> i + ",true").toList()));
        assertEquals(0, f.run("--once"), f.output);
        assertEquals(List.of("UPDATED", "UPDATED"), Fixture.statuses(f.results("two")));
        assertTrue(f.files(f.done).contains("two.csv"));
    }

    @Test
    void theModesOfEachKindOfRoute() {
        var http = new org.apache.camel.model.RouteDefinition().from("platform-http:/x");
        var service = new org.apache.camel.model.RouteDefinition().from("timer:x");
        service.setGroup("service");
        var sweep = new org.apache.camel.model.RouteDefinition().from("quartz:sweeps/x");
        sweep.setId("sweep-x");
        var plain = new org.apache.camel.model.RouteDefinition().from("file:x");
        // the service: all; --once / --apply: plain only; --sweep: plain and sweeps
        for (var def : List.of(http, service, sweep, plain)) {
            assertTrue(RouteModes.runs(def, true, false, false));
        }
        assertEquals(List.of(false, false, false, true),
                List.of(http, service, sweep, plain).stream().map(d -> RouteModes.runs(d, false, true, false)).toList());
        assertEquals(List.of(false, false, true, true),
                List.of(http, service, sweep, plain).stream().map(d -> RouteModes.runs(d, false, true, true)).toList());
    }
}
