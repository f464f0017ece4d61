package closetaskbulk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Camel's developer consoles switched on as the README offers (as --demo does): no page shows a secret, in any
 * form, and none sends, receives, debugs, reloads or starts and stops routes. A request under another Host name
 * (a DNS-rebound page) is refused on the management port as on the console's.
 */
class DevConsoleServiceTest extends ServiceTestSupport {

    static final String PASSWORD = "dev-console-pass-1";
    static final String DB_PASSWORD = "db-secret-value-9";
    static final String HOOK = "http://127.0.0.1:9/hooks/T0-secret-hook-7";
    static int management;

    @Override
    protected void prepare(Fixture fixture) {
        management = Fixture.freePort();
        fixture.set("camel.management.port", String.valueOf(management)).set("bulk.dev-tools", "true")
                .set("camel.main.dev-console-enabled", "true").set("camel.management.dev-console-enabled", "true")
                .set("console.password", PASSWORD).set("cluster.db.password", DB_PASSWORD).set("bulk.notify.url", HOOK);
    }

    @Test
    void devConsolesShowNoSecretAndRunNothing() throws Exception {
        for (String accept : new String[] {"application/json", "text/plain"}) {
            RawHttp.Answer props = RawHttp.get(management, "/q/dev/properties", Map.of("Accept", accept));
            assertEquals(200, props.status(), props.body());
            assertTrue(props.body().contains("close.api-key"), props.body());
            for (String secret : new String[] {Fixture.KEY, PASSWORD, DB_PASSWORD, HOOK}) {
                assertFalse(props.body().contains(secret), accept + " shows a secret: " + props.body());
            }
            RawHttp.Answer all = RawHttp.get(management, "/q/dev/all", Map.of("Accept", accept));
            for (String secret : new String[] {Fixture.KEY, PASSWORD, DB_PASSWORD}) {
                assertFalse(all.body().contains(secret), accept + " /q/dev/all shows a secret");
            }
        }

        // send: a GET any web page can fire; it wrote files and ran bulk updates
        Path written = f.dir.resolve("sent.txt");
        String endpoint = "file:" + f.dir + "?fileName=sent.txt";
        RawHttp.Answer send = RawHttp.get(management, "/q/dev/send?endpoint=" + java.net.URLEncoder.encode(endpoint,
                java.nio.charset.StandardCharsets.UTF_8) + "&body=hello", Map.of("Accept", "application/json"));
        RawHttp.get(management, "/q/dev/all?endpoint=" + java.net.URLEncoder.encode(endpoint,
                java.nio.charset.StandardCharsets.UTF_8) + "&body=hello", Map.of("Accept", "application/json"));
        assertFalse(Files.exists(written), "the send console wrote a file: " + send.body());
        RawHttp.Answer receive = RawHttp.get(management, "/q/dev/receive?endpoint=" + java.net.URLEncoder.encode(
                "file:config?noop=true", java.nio.charset.StandardCharsets.UTF_8) + "&enabled=true", Map.of());
        assertFalse(receive.body().contains("close.base-url"), receive.body());

        // eval-language ran any Simple expression from a GET: a process, a route stopped, a secret read
        RawHttp.Answer eval = RawHttp.get(management, "/q/dev/eval-language?language=simple&template="
                + java.net.URLEncoder.encode("${properties:close.api-key}", java.nio.charset.StandardCharsets.UTF_8),
                Map.of("Accept", "application/json"));
        assertFalse(eval.body().contains(Fixture.KEY), eval.body());
        // a page of another site cannot fire or read a console (an <img> needs no answer to act)
        assertEquals(403, RawHttp.get(management, "/q/dev/route", Map.of("Sec-Fetch-Site", "cross-site")).status());
        assertEquals(403, RawHttp.get(management, "/q/dev/route", Map.of("Referer", "http://evil.example/x")).status());

        // route actions: a GET stopped the intake
        RawHttp.Answer stop = RawHttp.get(management, "/q/dev/route?action=stop&filter=csv-intake", Map.of());
        assertEquals(403, stop.status(), stop.body());
        assertEquals(ServiceStatus.Started, context.getRouteController().getRouteStatus("csv-intake"));

        // what stays: the read-only consoles, health for probes
        assertEquals(200, RawHttp.get(management, "/q/dev/route", Map.of()).status());
        assertEquals(200, RawHttp.get(management, "/observe/health", Map.of()).status());

        // a page rebound to 127.0.0.1 sends its own name as Host
        RawHttp.Answer rebound = RawHttp.get(management, "/q/dev/properties", Map.of("Host", "attacker.example:" + management));
        assertEquals(421, rebound.status(), rebound.body());
        assertFalse(rebound.body().contains("close.api-key"));
        assertTrue(rebound.body().length() < 300, rebound.body());
        RawHttp.Answer local = RawHttp.get(management, "/q/dev/properties", Map.of("Host", "localhost:" + management));
        assertEquals(200, local.status());
        assertTrue(local.body().contains("close.api-key"), local.body());
    }
}
