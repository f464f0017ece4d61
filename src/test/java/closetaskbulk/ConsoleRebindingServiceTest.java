package closetaskbulk;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DNS rebinding against the console on its default (loopback, no password): a page of attacker.example whose
 * name now points at 127.0.0.1 sends Host: attacker.example. It must neither read the session token nor
 * upload a file. The bound address, localhost, 127.0.0.1 and console.allowed-hosts are answered.
 */
class ConsoleRebindingServiceTest extends ServiceTestSupport {

    @Override
    protected void prepare(Fixture fixture) {
        fixture.set("console.allowed-hosts", "bulk.internal, ops.example.com");
    }

    @Test
    void onlyTheConsolesOwnNamesAreAnswered() throws Exception {
        int port = Integer.parseInt(f.settings.get("camel.server.port"));
        RawHttp.Answer session = RawHttp.get(port, "/api/session", Map.of("Host", "attacker.example:" + port));
        assertTrue(session.status() == 421 || session.status() == 403, session.status() + " " + session.body());
        assertFalse(session.body().contains("token"), session.body());
        assertTrue(session.body().length() < 300, session.body());
        RawHttp.Answer upload = RawHttp.send(port, "POST", "/api/uploads?name=a.csv&mode=apply",
                Map.of("Host", "attacker.example:" + port, "Origin", "http://attacker.example:" + port),
                "id,is_complete\ntask_T00000,true\n");
        assertTrue(upload.status() == 421 || upload.status() == 403, upload.status() + " " + upload.body());
        assertEquals(List.of(), f.files(f.inbox));

        for (String host : List.of("127.0.0.1:" + port, "localhost:" + port, "localhost", "127.0.0.1",
                "bulk.internal", "OPS.example.com:" + port)) {
            RawHttp.Answer ok = RawHttp.get(port, "/api/session", Map.of("Host", host));
            assertEquals(200, ok.status(), host + ": " + ok.body());
        }
        assertEquals(421, RawHttp.get(port, "/api/session", Map.of("Host", "bulk.internal.attacker.example")).status());
        assertEquals(421, RawHttp.get(port, "/", Map.of("Host", "")).status());
    }
}
