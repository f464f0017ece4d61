package closetaskbulk;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A run under way is listed as running, with rows done of its total and the time left; then as done. */
class ConsoleProgressServiceTest extends ServiceTestSupport {

    @Override
    protected void prepare(Fixture fixture) {
        fixture.set("close.batch-size", "10").set("close.concurrency", "1");
    }

    private JsonNode overview() throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + f.settings.get("camel.server.port") + "/api/overview")).build(), HttpResponse.BodyHandlers.ofString()).body();
        return Fixture.JSON.readTree(body);
    }

    @Test
    void aRunUnderWayShowsItsProgressAndTimeLeft() throws Exception {
        List<String> ids = f.seed(200);
        f.emulator.faults().latency(40, 0); // 40 calls of 40 ms: the run lasts a couple of seconds
        f.drop("slow.csv", Fixture.csv("id,is_complete", ids.stream().map(i -> i + ",true").toList()));
        AtomicReference<JsonNode> seen = new AtomicReference<>();
        await().atMost(30, TimeUnit.SECONDS).pollInterval(50, TimeUnit.MILLISECONDS).until(() -> {
            for (JsonNode r : overview().path("runs")) {
                if (r.path("name").asText().equals("slow") && r.path("state").asText().equals("running")
                        && r.path("rows").asLong() > 0 && r.path("rows").asLong() < 200) {
                    seen.set(r);
                    return true;
                }
            }
            return false;
        });
        JsonNode running = seen.get();
        assertEquals(200, running.path("total").asLong(), running.toString());
        assertTrue(running.path("eta_s").isNumber() && running.path("eta_s").asLong() >= 0, running.toString());
        assertTrue(running.path("requests").asLong() > 0, running.toString());
        await().atMost(30, TimeUnit.SECONDS).until(() -> {
            for (JsonNode r : overview().path("runs")) {
                if (r.path("name").asText().equals("slow") && r.path("state").asText().equals("done")) {
                    return r.path("counts").path("UPDATED").asInt() == 200;
                }
            }
            return false;
        });
    }
}
