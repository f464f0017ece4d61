package closetaskbulk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A route reload never touches a run in flight: saves during a run of thousands of rows (Close slowed down)
 * are applied once the run is over; no row changes status, the file is processed once.
 */
class RouteReloadMidRunServiceTest extends ServiceTestSupport {

    private static final int ROWS = 3000;
    private static Path routes;

    @Override
    protected void prepare(Fixture fx) {
        routes = fx.dir.resolve("routes");
        RouteReloadServiceTest.copy(Path.of("routes"), routes);
        fx.set("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml,file:" + routes + "/sweeps/*.camel.yaml");
        fx.set("bulk.routes-reload", "true").set("bulk.routes-reload-directory", routes.toString());
        fx.set("close.batch-size", "50");
        fx.emulator.faults().latency(60, 0);
    }

    @Test
    void savesDuringARunWaitForItsEnd() throws Exception {
        RouteReloader reloader = context.getRegistry().lookupByNameAndType("routeReloader", RouteReloader.class);
        List<String> ids = f.seed(ROWS);
        f.drop("big.csv", Fixture.csv("id,date", ids.stream().map(i -> i + ",2026-12-24").toList()));
        await().atMost(30, TimeUnit.SECONDS).until(() -> f.count("PUT /task/") >= 3);
        Path run = routes.resolve("run.camel.yaml");
        Files.writeString(run, Files.readString(run) + "\n# saved during the run\n");
        await().atMost(30, TimeUnit.SECONDS).until(() -> f.count("PUT /task/") >= 20);
        Path intake = routes.resolve("csv-intake.camel.yaml");
        Files.writeString(intake, Files.readString(intake) + "\n# saved again\n");
        // a file dropped meanwhile waits for the reload, then is processed on the new routes
        List<String> more = IntStream.range(0, 5).mapToObj(i -> ids.get(i)).toList();
        f.drop("small.csv", Fixture.csv("id,is_complete", more.stream().map(i -> i + ",true").toList()));
        assertTrue(f.count("PUT /task/") < ROWS / 50, "the run was over before the saves: make it slower");
        await().atMost(120, TimeUnit.SECONDS).until(() -> f.files(f.done).contains("big.csv"));
        await().atMost(60, TimeUnit.SECONDS).until(() -> reloader.getReloadCounter() >= 1 && f.files(f.done).contains("small.csv"));
        List<String> statuses = Fixture.statuses(f.results("big"));
        assertEquals(ROWS, statuses.size());
        assertEquals(List.of("UPDATED"), statuses.stream().distinct().toList());
        assertEquals(0, reloader.getFailedCounter());
        assertEquals(List.of("UPDATED"), Fixture.statuses(f.results("small")).stream().distinct().toList());
        // processed once: one set of reports, one file in done, nothing left in the inbox
        assertEquals(List.of("big.csv", "small.csv"), f.files(f.done));
        assertEquals(1, f.files(f.reports).stream().filter(n -> n.startsWith("big") && n.endsWith(".results.csv")).count(),
                f.files(f.reports).toString());
        assertEquals(List.of(), f.files(f.inbox).stream().filter(n -> !n.startsWith(".")).toList());
        assertEquals(ROWS / 50 + 1, f.count("PUT /task/"), "one write per batch, none twice");
    }
}
