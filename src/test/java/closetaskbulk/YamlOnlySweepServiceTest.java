package closetaskbulk;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A sweep whose values are all in its YAML file is listed by the console with its own cron and zone. */
class YamlOnlySweepServiceTest extends ServiceTestSupport {

    @Override
    protected void prepare(Fixture fx) {
        try {
            Path folder = fx.dir.resolve("my-sweeps");
            SweepCatchUpTest.writeYamlOnlySweep(folder, "inline", "is_complete=false");
            fx.routesAlsoFrom(folder);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theConsoleListsItsCronAndZone() throws Exception {
        String base = "http://127.0.0.1:" + f.settings.get("camel.server.port");
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/overview")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        JsonNode sweep = null;
        for (JsonNode s : Fixture.JSON.readTree(body).get("sweeps")) {
            if (s.get("id").asText().equals("inline")) {
                sweep = s;
            }
        }
        assertNotNull(sweep, body);
        assertEquals("0 30 7 ? * MON-FRI", sweep.get("cron").asText(), body);
        assertEquals("America/New_York", sweep.get("time_zone").asText(), body);
        assertTrue(sweep.get("enabled").asBoolean(), body);
        assertTrue(sweep.get("next_run").asText().matches("\\d{4}-\\d\\d-\\d\\dT.*"), body);
    }
}
