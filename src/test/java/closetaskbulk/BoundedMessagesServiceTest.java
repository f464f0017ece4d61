package closetaskbulk;

import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A header of a million columns gave a 10.9 MB reason that every console poll sent again: reasons are a short
 * prefix. A body larger than the server takes is refused with a line the console shows, not a dropped request.
 */
class BoundedMessagesServiceTest extends ServiceTestSupport {

    @Override
    protected void prepare(Fixture fixture) {
        fixture.set("console.upload-max-bytes", "1000").set("camel.server.max-body-size", "1100");
    }

    @Test
    void reasonsAreShortAndAnOversizedBodyIsOneLine() throws Exception {
        StringBuilder header = new StringBuilder("id,is_complete");
        for (int i = 0; i < 1_000_000; i++) {
            header.append(",u").append(i);
        }
        Files.createDirectories(f.inbox);
        Files.writeString(f.inbox.resolve(".wide.tmp"), header + "\ntask_T00000,true" + ",".repeat(1_000_000) + "\n");
        Files.move(f.inbox.resolve(".wide.tmp"), f.inbox.resolve("wide.csv"));
        await().atMost(60, TimeUnit.SECONDS).until(() -> Files.exists(f.reports.resolve("wide.summary.json")));
        String reason = Fixture.JSON.readTree(f.reports.resolve("wide.summary.json").toFile()).get("reason").asText();
        assertTrue(reason.length() <= 250, reason.length() + " chars");
        assertTrue(reason.contains("columns besides the known ones"), reason);

        int port = Integer.parseInt(f.settings.get("camel.server.port"));
        RawHttp.Answer overview = RawHttp.get(port, "/api/overview", Map.of());
        assertEquals(200, overview.status());
        assertTrue(overview.body().length() < 20_000, overview.body().length() + " chars");

        String token = Fixture.JSON.readTree(RawHttp.get(port, "/api/session", Map.of()).body()).get("token").asText();
        RawHttp.Answer big = RawHttp.send(port, "POST", "/api/uploads?name=big.csv&mode=apply",
                Map.of("X-CSRF-Token", token), "id,is_complete\n" + "task_T00000,true\n".repeat(300));
        assertEquals(413, big.status(), big.body());
        assertTrue(big.body().startsWith("{\"error\":") && big.body().contains("console.upload-max-bytes=1000"), big.body());
    }
}
