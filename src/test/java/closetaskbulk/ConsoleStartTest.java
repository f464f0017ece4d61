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
}
