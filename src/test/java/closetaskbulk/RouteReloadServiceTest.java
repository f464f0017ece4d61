package closetaskbulk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.apache.camel.ServiceStatus;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The YAML engineer's loop: with route reload on (as --demo sets it), saving any shipped route file while
 * the service runs keeps every route: the inbox is still watched and sweeps still fire.
 */
class RouteReloadServiceTest extends ServiceTestSupport {

    private static Path routes;

    @Override
    protected void prepare(Fixture fx) {
        routes = fx.dir.resolve("routes");
        copy(Path.of("routes"), routes);
        Map<String, String> v = new LinkedHashMap<>();
        v.put("enabled", "true");
        v.put("cron", "0/1 * * * * ?");
        v.put("filter", "is_complete=false&assigned_to=" + Fixture.ALICE);
        v.put("assigned-to", Fixture.BOB);
        Path sweep = fx.addSweep("handover", v).resolve("handover.camel.yaml");
        try {
            Files.move(sweep, routes.resolve("sweeps/handover.camel.yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        fx.set("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml,file:" + routes + "/sweeps/*.camel.yaml");
        // Camel's own key, as Camel engineers set it by habit: it turns on the bundle's reloader
        fx.set("camel.main.routes-reload-enabled", "true").set("bulk.routes-reload-directory", routes.toString());
    }

    static void copy(Path from, Path to) {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void savingEachRouteFileKeepsTheServiceWorking() throws Exception {
        AtomicInteger added = new AtomicInteger();
        context.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.RouteAddedEvent) {
                    added.incrementAndGet();
                }
            }
        });
        List<String> expected = context.getRoutes().stream().map(r -> r.getRouteId()).sorted().toList();
        assertTrue(expected.contains("csv-intake") && expected.contains("sweep-handover"), expected.toString());
        List<Path> files;
        try (Stream<Path> s = Files.walk(routes)) {
            files = s.filter(p -> p.toString().endsWith(".camel.yaml")).sorted().toList();
        }
        for (Path file : files) {
            int before = added.get();
            Files.writeString(file, Files.readString(file) + "\n# saved\n");
            await().atMost(20, TimeUnit.SECONDS).until(() -> added.get() > before);
            await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
                List<String> now = new ArrayList<>(context.getRoutes().stream().map(r -> r.getRouteId()).sorted().toList());
                assertEquals(expected, now, "routes after saving " + file.getFileName());
                assertEquals(ServiceStatus.Started, context.getRouteController().getRouteStatus("csv-intake"), file.toString());
                assertEquals(ServiceStatus.Started, context.getRouteController().getRouteStatus("sweep-handover"), file.toString());
            });
        }
        List<String> ids = f.seed(3);
        f.drop("after-reload.csv", Fixture.csv("id,date", ids.stream().map(i -> i + ",2026-12-24").toList()));
        await().atMost(20, TimeUnit.SECONDS).until(() -> f.files(f.done).contains("after-reload.csv"));
        assertTrue(ids.stream().allMatch(i -> f.emulator.store().get(i).get("date").asText().equals("2026-12-24")));
        // the sweep (every second: open tasks of Alice go to Bob) still fires
        await().atMost(20, TimeUnit.SECONDS).until(() -> ids.stream()
                .allMatch(i -> f.emulator.store().get(i).get("assigned_to").asText().equals(Fixture.BOB)));
    }
}
