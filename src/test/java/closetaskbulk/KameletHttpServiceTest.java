package closetaskbulk;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kamelet behind an engineer's HTTP route: a message without ids is a 400 with the reason (not a 500 and
 * a stack trace), and after a route reload the same route still answers at once, for a Kamelet URI seen
 * before too (toD: an endpoint Camel keeps would wait 30 s for the Kamelet's route that the reload removed).
 */
class KameletHttpServiceTest extends ServiceTestSupport {

    private static Path routes;
    /** One client: its connection is kept alive across the reload, as a browser's or a script's would be. */
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @Override
    protected void prepare(Fixture fx) {
        routes = fx.dir.resolve("routes");
        RouteReloadServiceTest.copy(Path.of("routes"), routes);
        try {
            Files.writeString(routes.resolve("complete-hook.camel.yaml"), """
                    - route:
                        id: complete-hook
                        from:
                          uri: platform-http:/hooks/complete
                          steps:
                            - toD: kamelet:close-task-bulk-update-sink?isComplete=true&runName=hook&assignedTo=${header.user}
                            - setBody:
                                simple: "${body[outcome]} ${body[counts]}"
                    """);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        fx.set("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml,file:" + routes + "/sweeps/*.camel.yaml");
        fx.set("bulk.routes-reload", "true").set("bulk.routes-reload-directory", routes.toString());
    }

    @Test
    void aBadMessageIsA400AndAReloadKeepsTheRouteAnswering() throws Exception {
        RouteReloader reloader = context.getRegistry().lookupByNameAndType("routeReloader", RouteReloader.class);
        List<String> ids = f.seed(3);
        HttpResponse<String> empty = post(" \n ");
        assertEquals(400, empty.statusCode(), empty.body());
        assertTrue(empty.body().contains("holds no task ids"), empty.body());
        HttpResponse<String> first = post(ids.get(0));
        assertEquals(200, first.statusCode(), first.body());
        assertTrue(first.body().startsWith("finished"), first.body());

        Path hook = routes.resolve("complete-hook.camel.yaml");
        Files.writeString(hook, Files.readString(hook) + "\n# saved\n");
        await().atMost(30, TimeUnit.SECONDS).until(() -> reloader.getReloadCounter() == 1);
        long start = System.nanoTime();
        HttpResponse<String> again = post(ids.get(1));
        assertEquals(200, again.statusCode(), again.body());
        assertTrue(again.body().startsWith("finished"), again.body());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "answered at once after the reload");
        assertTrue(f.emulator.store().get(ids.get(1)).path("is_complete").asBoolean());
    }

    private static HttpResponse<String> post(String body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + f.settings.get("camel.server.port")
                + "/hooks/complete?user=" + Fixture.BOB)).timeout(Duration.ofSeconds(60)).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
    }
}
