package closetaskbulk;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An engineer's own route on the console's server (examples/http/complete-over-http.camel.yaml) gets the
 * console's guard without a line of its own: the password, the Host names, no cross-site request, and no request
 * header echoed in the answer. A script authenticates with HTTP basic alone (no browser token).
 */
class OwnHttpRouteServiceTest extends ServiceTestSupport {

    static final String PASSWORD = "own-route-password";

    @Override
    protected void prepare(Fixture fixture) {
        fixture.set("camel.main.routes-include-pattern",
                "file:routes/*.camel.yaml,file:routes/sweeps/*.camel.yaml,file:examples/http/*.camel.yaml");
        fixture.set("console.password", PASSWORD);
    }

    private static String basic(String password) {
        return "Basic " + Base64.getEncoder().encodeToString(("script:" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theEngineersRouteIsBehindThePassword() throws Exception {
        int port = Integer.parseInt(f.settings.get("camel.server.port"));
        List<String> ids = f.seed(2);
        String body = ids.get(0) + "\n";

        RawHttp.Answer none = RawHttp.send(port, "POST", "/api/complete", Map.of("Content-Type", "text/plain"), body);
        assertEquals(401, none.status(), none.body());
        RawHttp.Answer wrong = RawHttp.send(port, "POST", "/api/complete", Map.of("Authorization", basic("guess-guess-guess")), body);
        assertEquals(401, wrong.status(), wrong.body());
        RawHttp.Answer rebound = RawHttp.send(port, "POST", "/api/complete", Map.of("Authorization", basic(PASSWORD),
                "Host", "attacker.example:" + port), body);
        assertEquals(421, rebound.status(), rebound.body());
        RawHttp.Answer crossSite = RawHttp.send(port, "POST", "/api/complete", Map.of("Authorization", basic(PASSWORD),
                "Origin", "http://attacker.example"), body);
        assertEquals(403, crossSite.status(), crossSite.body());
        assertFalse(f.emulator.store().get(ids.get(0)).path("is_complete").asBoolean(), "nothing sent before this");

        RawHttp.Answer ok = RawHttp.send(port, "POST", "/api/complete", Map.of("Authorization", basic(PASSWORD),
                "Content-Type", "text/plain", "X-Request-Note", "private-note-4711"), body);
        assertEquals(200, ok.status(), ok.body());
        assertTrue(ok.body().contains("\"UPDATED\":1"), ok.body());
        assertTrue(f.emulator.store().get(ids.get(0)).path("is_complete").asBoolean());
        assertNull(ok.header("Authorization"), ok.headers().toString());
        assertNull(ok.header("X-Request-Note"), ok.headers().toString());
        assertFalse(ok.headers().toString().contains("private-note-4711"), ok.headers().toString());
        assertFalse(ok.headers().toString().contains(basic(PASSWORD).substring(6)), ok.headers().toString());
    }
}
