package closetaskbulk;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** After a 401 the service halts: the intake stops and files stay in the inbox. */
class HaltServiceTest extends ServiceTestSupport {

    @Test
    void aHaltStopsTheIntakeAndLeavesFilesInTheInbox() throws Exception {
        List<String> ids = f.seed(4);
        f.emulator.revokeKey(Fixture.KEY);
        f.drop("first.csv", Fixture.csv("id,is_complete", ids.subList(0, 2).stream().map(i -> i + ",true").toList()));
        await().atMost(20, TimeUnit.SECONDS).until(() -> runState.isHalted() && Files.exists(f.reports.resolve("first.summary.json")));
        f.drop("second.csv", Fixture.csv("id,is_complete", ids.subList(2, 4).stream().map(i -> i + ",true").toList()));
        // a running intake takes a file here within about a second (polls every 100 ms, the read lock looks every
        // 500 ms): for 3 s after the drop, the file must be left alone (no run, no summary) and nothing sent
        await().during(3, TimeUnit.SECONDS).atMost(10, TimeUnit.SECONDS).until(() ->
                f.emulator.requests().size() == 1 && !Files.exists(f.reports.resolve("second.summary.json")));
        assertEquals(1, f.emulator.requests().size(), "one call answered 401, then none");
        assertEquals(List.of("first.csv", "second.csv"), f.files(f.inbox));
        assertEquals(ServiceStatus.Stopped, context.getRouteController().getRouteStatus("csv-intake"));
        assertTrue(runState.haltReason().contains("401"));
        assertEquals(2, runState.exitCode());
        List<String> noWrites = new ArrayList<>(f.files(f.done));
        assertEquals(List.of(), noWrites);

        // the console's banner: the halt, its reason and what to do
        var http = java.net.http.HttpClient.newHttpClient();
        String overview = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                + f.settings.get("camel.server.port") + "/api/overview")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        var health = Fixture.JSON.readTree(overview).get("health");
        assertTrue(health.get("halted").asBoolean(), overview);
        assertTrue(health.get("reason").asText().contains("401"), overview);
        assertTrue(health.get("advice").asText().contains("CLOSE_API_KEY"), overview);
    }
}
