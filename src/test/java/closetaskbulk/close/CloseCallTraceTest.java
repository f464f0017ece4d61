package closetaskbulk.close;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.apache.camel.Exchange;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.spi.BacklogTracer;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import closetaskbulk.emulator.CloseEmulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Route close-call against the Close emulator with Camel's tracer, backlog tracer (the trace dev console,
 * {@code camel trace}) and message history on: the route sets Authorization as a step, yet no traced message
 * holds the key; the request Close receives carries it, the bundle's or a Kamelet's own.
 */
class CloseCallTraceTest extends CamelMainTestSupport {

    private static final String KEY = "api_trace_bundle_key_1";
    private static final String OWN_KEY = "api_trace_kamelet_key_2";

    private static final CloseEmulator close = startEmulator(); // before the context: its port is a setting
    private final ListAppender<ILoggingEvent> traced = new ListAppender<>();
    // the tracer logs under each route file's name (close-call.camel.yaml:12): every logger is listened to
    private final Logger tracing = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    private static CloseEmulator startEmulator() {
        try {
            return new CloseEmulator().addKey(KEY).addKey(OWN_KEY).start();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void keysBack() {
        tracing.detachAppender(traced);
        close.addKey(KEY);
    }

    @AfterAll
    static void stopEmulator() {
        close.close();
    }

    @Override
    protected void configure(MainConfigurationProperties main) {
        main.withRoutesIncludePattern("file:routes/close-call.camel.yaml");
        main.withTracing(true).withMessageHistory(true);
        main.tracerConfig().withEnabled(true).withIncludeExchangeProperties(true).withRemoveOnDump(false);
    }

    @Override
    public void configureContext(CamelContextConfiguration camel) {
        super.configureContext(camel);
        Properties p = new Properties();
        p.put("close.base-url", "http://127.0.0.1:" + close.port() + CloseEmulator.PREFIX);
        camel.withUseOverridePropertiesWithPropertiesComponent(p);
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        String url = "http://127.0.0.1:" + close.port() + CloseEmulator.PREFIX;
        registry.bind("closeCall", new CloseCall(KEY, url, "1.0", new Pacer(60_000, 0), () -> null));
    }

    @Test
    void theKeyReachesCloseButNoTraceHistoryOrMessage() throws Exception {
        traced.start();
        tracing.addAppender(traced);
        List<String> sentAuth = new ArrayList<>();
        close.onRequest(r -> sentAuth.add(r.headers().get("authorization")));

        CloseCallRouteTest.Read bundles = new CloseCallRouteTest.Read();
        Exchange first = template.send("direct:close-call", e -> e.getIn().setBody(bundles));
        OwnKeyRead own = new OwnKeyRead();
        Exchange second = template.send("direct:close-call", e -> e.getIn().setBody(own));

        // Close got each call with its key: the reference was replaced as the request left
        assertEquals(null, first.getException());
        assertEquals(null, second.getException());
        assertNotNull(bundles.answer, bundles.failure);
        assertNotNull(own.answer, own.failure);
        assertEquals(List.of(CloseApi.basicAuth(KEY), CloseApi.basicAuth(OWN_KEY)), sentAuth);

        BacklogTracer backlog = context.getCamelContextExtension().getContextPlugin(BacklogTracer.class);
        String dump = backlog.dumpAllTracedMessagesAsJSon();
        String log = String.join("\n", traced.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
        String history = String.valueOf(first.getProperty(Exchange.MESSAGE_HISTORY));
        // what a trace shows: the steps and the Authorization header they set (so this test can see a leak)
        assertTrue(dump.contains("close-auth") && dump.contains("Basic <close.api-key>")
                && dump.contains("Basic <apiKey 1>"), dump);
        assertTrue(log.contains("Authorization"), log);
        for (String shown : new String[] {dump, log, history, first.getMessage().getHeaders().toString(),
                second.getMessage().getHeaders().toString()}) {
            for (String key : new String[] {KEY, OWN_KEY}) {
                assertFalse(shown.contains(key), "the key shows: " + shown);
                String encoded = CloseApi.basicAuth(key).substring("Basic ".length());
                assertFalse(shown.contains(encoded.substring(0, encoded.length() - 4)), "the encoded key shows: " + shown);
            }
        }
    }

    @Test
    void aRevokedKeyHaltsAndTheMessageDoesNotHoldIt() {
        close.revokeKey(KEY);
        Exchange done = template.send("direct:close-call", e -> e.getIn().setBody(new CloseCallRouteTest.Read()));
        assertInstanceOf(CloseHalt.class, done.getException());
        String encoded = CloseApi.basicAuth(KEY).substring("Basic ".length());
        assertFalse(done.getException().getMessage().contains(KEY));
        assertFalse(done.getMessage().getHeaders().toString().contains(encoded), done.getMessage().getHeaders().toString());
    }

    /** A read with a key of its own, as a Kamelet's run has. */
    static final class OwnKeyRead extends CloseCallRouteTest.Read {
        @Override
        public String authorization() {
            return CloseApi.basicAuth(OWN_KEY);
        }
    }
}
