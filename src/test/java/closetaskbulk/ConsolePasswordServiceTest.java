package closetaskbulk;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guessing the console's password is throttled per client address (429 with Retry-After), and the session
 * token belongs to the user who signed in: another name cannot use it, so approved_by is who opened the page.
 */
class ConsolePasswordServiceTest extends ServiceTestSupport {

    static final String PASSWORD = "throttled-console-1";

    @Override
    protected void prepare(Fixture fixture) {
        fixture.set("console.password", PASSWORD);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void guessesAreThrottledAndTheTokenIsTheUsers() throws Exception {
        int port = Integer.parseInt(f.settings.get("camel.server.port"));
        String token = Fixture.JSON.readTree(RawHttp.get(port, "/api/session",
                Map.of("Authorization", basic("maria", PASSWORD))).body()).get("token").asText();
        RawHttp.Answer other = RawHttp.send(port, "POST", "/api/uploads?name=a.csv&mode=preview",
                Map.of("Authorization", basic("mallory", PASSWORD), "X-CSRF-Token", token), "id,is_complete\nx,true\n");
        assertEquals(403, other.status(), other.body());
        assertEquals(List.of(), f.files(f.dir.resolve("preview")));

        int throttled = 0;
        String retryAfter = null;
        for (int i = 0; i < 30 && throttled == 0; i++) {
            RawHttp.Answer a = RawHttp.get(port, "/api/overview", Map.of("Authorization", basic("x", "guess-" + i)));
            if (a.status() == 429) {
                throttled = i + 1;
                retryAfter = a.header("Retry-After");
            } else {
                assertEquals(401, a.status(), a.body());
            }
        }
        assertTrue(throttled > 0 && throttled <= 11, "429 after " + throttled + " tries");
        assertTrue(retryAfter != null && Integer.parseInt(retryAfter) >= 1, "Retry-After: " + retryAfter);
        // while throttled, even the right password waits: a guess cannot be told apart
        assertEquals(429, RawHttp.get(port, "/api/overview", Map.of("Authorization", basic("maria", PASSWORD))).status());
    }
}
