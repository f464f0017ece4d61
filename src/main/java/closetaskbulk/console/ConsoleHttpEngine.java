package closetaskbulk.console;

import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;

/**
 * platform-http's engine, told which server the console's routes belong on. With two servers (the console on
 * camel.server.port, health and metrics on camel.management.port) Camel 4.17's engine cannot tell them apart
 * and assumes 8080: the REST routes then find no server on any other port (docs/CAMEL.md). Bound as
 * "platform-http-engine", the name the component looks up.
 */
public class ConsoleHttpEngine extends VertxPlatformHttpEngine {

    private final int port;

    public ConsoleHttpEngine(int port) {
        this.port = port;
    }

    @Override
    public int getServerPort() {
        return port;
    }
}
