package closetaskbulk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The jar's logging masks the key; the example file a user copies says the same as the code. */
class LogSetupTest {

    @Test
    void anAuthorizationValueIsMasked() {
        LoggerContext ctx = new LoggerContext();
        PatternLayout layout = new PatternLayout();
        layout.setContext(ctx);
        layout.setPattern(LogSetup.PATTERN);
        layout.start();
        LoggingEvent e = new LoggingEvent("x", ctx.getLogger("x"), Level.DEBUG,
                "http-outgoing-0 >> Authorization: Basic dGVzdC1rZXk6 and \"authorization: Bearer abc.def\"", null, null);
        String line = layout.doLayout(e);
        assertFalse(line.contains("dGVzdC1rZXk6") || line.contains("abc.def"), line);
        assertTrue(line.contains("Authorization: Basic ****") && line.contains("authorization: Bearer ****"), line);
    }

    @Test
    void theExampleFileHasThePatternOfTheCode() throws Exception {
        String xml = Files.readString(Path.of("config/logback.example.xml"));
        Matcher m = Pattern.compile("<pattern>(.*)</pattern>").matcher(xml);
        assertTrue(m.find());
        assertEquals(LogSetup.PATTERN, m.group(1));
    }

    @Test
    void theTracerLogsWhenTurnedOnAndTheExampleSaysTheSame() throws Exception {
        LoggerContext ctx = new LoggerContext();
        LogSetup.levels(ctx);
        assertTrue(ctx.getLogger("org.apache.camel.Tracing").isInfoEnabled());
        assertFalse(ctx.getLogger("org.apache.camel.impl").isInfoEnabled());
        String xml = Files.readString(Path.of("config/logback.example.xml"));
        Matcher m = Pattern.compile("<logger name=\"([^\"]+)\" level=\"([A-Z]+)\"/>").matcher(xml);
        int n = 0;
        while (m.find()) { // every fixed level of the example is the code's
            assertEquals(Level.toLevel(m.group(2)), ctx.getLogger(m.group(1)).getLevel(), m.group(1));
            n++;
        }
        assertEquals(6, n, xml);
    }
}
