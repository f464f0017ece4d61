package closetaskbulk;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The console's "Dry run now" of a sweep is a dry run, whichever way the page spells it, and not its last run. */
class ConsoleSweepServiceTest extends ServiceTestSupport {

    @Override
    protected void prepare(Fixture fixture) {
        fixture.addSweep("tidy", Map.of("enabled", "true", "cron", "0 0 2 1 1 ? 2099", "time-zone", "UTC",
                "filter", "is_complete=false", "is-complete", "true"));
    }

    @Test
    void dryRunNowSendsNothing() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + f.settings.get("camel.server.port");
        String token = Fixture.JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/session")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).get("token").asText();
        f.seed(3);
        HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(base + "/api/sweeps/tidy/run?dry=maybe"))
                .header("X-CSRF-Token", token).POST(HttpRequest.BodyPublishers.noBody());
        assertEquals(400, http.send(post.build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/sweeps/tidy/run?dry=1"))
                .header("X-CSRF-Token", token).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        await().atMost(20, TimeUnit.SECONDS).until(() -> f.files(f.reports).stream().anyMatch(n -> n.startsWith("sweep-tidy-")
                && n.endsWith(".summary.json")));
        String summary = f.files(f.reports).stream().filter(n -> n.endsWith(".summary.json")).findFirst().orElseThrow();
        assertTrue(f.summary(summary.replace(".summary.json", "")).get("dry_run").asBoolean());
        assertEquals(0, f.count("PUT /task/"));
        assertEquals(List.of(), f.emulator.requests("PUT /task/"));
        assertFalse(Files.exists(f.dir.resolve("state").resolve("sweeps.properties"))
                && Files.readString(f.dir.resolve("state").resolve("sweeps.properties")).contains("tidy="),
                "a dry run is not the sweep's last run");
    }
}
