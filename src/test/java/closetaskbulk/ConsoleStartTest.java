package closetaskbulk;

import java.net.InetAddress;
import java.net.ServerSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The service will not start a console it cannot serve safely: one line, exit 2. */
class ConsoleStartTest {

    private final Fixture f = new Fixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void beyondLoopbackWithoutAPasswordIsRefused() {
        f.set("camel.server.host", "0.0.0.0");
        assertEquals(2, f.run());
        assertEquals("error: camel.server.host=0.0.0.0 serves the console beyond this machine without a password: "
                + "set CONSOLE_PASSWORD, or use camel.server.host=127.0.0.1", f.output.strip());
    }

    @Test
    void aBusyConsolePortIsOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            f.set("camel.server.port", String.valueOf(taken.getLocalPort()));
            assertEquals(2, f.run());
            assertTrue(f.output.strip().startsWith("error: camel.server.port=" + taken.getLocalPort() + " on 127.0.0.1 is in use"),
                    f.output);
            assertEquals(1, f.output.strip().lines().count(), f.output);
        }
    }

    @Test
    void aShortPasswordIsRefused() {
        f.set("console.password", "short-pw");
        assertEquals(2, f.run());
        assertEquals("error: console.password is 8 characters long: use at least 12 (the console and its routes "
                + "are open to whoever guesses it)", f.output.strip());
    }

    @Test
    void devToolsOrMetricsBeyondLoopbackNeedThePassword() {
        f.set("camel.management.host", "0.0.0.0").set("camel.management.port", String.valueOf(Fixture.freePort()));
        assertEquals(2, f.run());
        assertEquals("error: camel.management.host=0.0.0.0 serves metrics beyond this machine without a password: "
                + "set CONSOLE_PASSWORD, or use camel.management.host=127.0.0.1", f.output.strip());
    }

    @Test
    void theManagementPortSharedWithTheConsoleMustShareItsHost() {
        f.set("camel.management.port", f.settings.get("camel.server.port")).set("camel.management.host", "0.0.0.0")
                .set("console.password", "a-long-enough-password");
        assertEquals(2, f.run());
        assertEquals("error: camel.management.port=" + f.settings.get("camel.server.port") + " is the console's port, "
                + "but camel.management.host=0.0.0.0 is not camel.server.host=127.0.0.1: one server has one address "
                + "(use another camel.management.port, or the same host)", f.output.strip());
    }

    @Test
    void camelsOwnServerAuthenticationIsRefusedForTheConsolesPassword() {
        // Vert.x's auth modules are not shipped (pom.xml): one line, not a NoClassDefFoundError at start
        f.set("camel.management.authentication-enabled", "true");
        assertEquals(2, f.run());
        assertEquals("error: camel.management.authentication-enabled=true is not supported: console.password guards "
                + "the console and the management server (set CONSOLE_PASSWORD; README \"The console\")", f.output.strip());
    }
}
