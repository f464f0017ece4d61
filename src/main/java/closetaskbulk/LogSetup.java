package closetaskbulk;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The bundle's logging, set up in code (about a third of a second sooner than parsing an XML file, which a
 * cron user pays on every --once run): one line per event, and an Authorization header in a message (HttpClient's
 * DEBUG logs) masked, so the key never reaches the log. A logback configuration of the user's
 * (config/logback.xml, or -Dlogback.configurationFile) replaces it, as does a test's logback-test.xml.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public class LogSetup extends ContextAwareBase implements Configurator {

    /** The line: time, level, thread, logger, message (with any Authorization value masked). */
    static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{24} - "
            + "%replace(%msg){'(?i)(authorization: *(basic|bearer) +)[^\\s\",\\[\\]]+', '$1****'}%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || LogSetup.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> out = new ConsoleAppender<>();
        out.setContext(context);
        out.setName("OUT");
        out.setEncoder(encoder);
        out.start();
        var root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(out);
        levels(context);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** The loggers' levels (config/logback.example.xml says the same). */
    static void levels(LoggerContext context) {
        // the request log: LOG_REQUESTS=DEBUG (environment or -D) logs every call to Close and its answer
        level(context, "closetaskbulk.requests", setting("LOG_REQUESTS", "INFO"));
        // HttpClient's own header and wire log, for deep debugging: LOG_HTTP=DEBUG
        level(context, "org.apache.hc", setting("LOG_HTTP", "WARN"));
        level(context, "org.apache.camel", "WARN");
        // Camel's logging tracer (camel.main.tracing=true) logs at INFO: it is on only when asked for
        level(context, "org.apache.camel.Tracing", "INFO");
        // Camel Main at WARN: a refused start is the one line that says why, and a run is told by our own lines
        level(context, "org.apache.camel.main", "WARN");
        // "Rollback file strategy": after a halt or a full disk the file stays in the inbox, and the bundle says so
        level(context, "org.apache.camel.component.file.GenericFileOnCompletion", "ERROR");
        level(context, "org.quartz", "WARN");
        // a sweep that ended badly (a halt, over its cap, a failed listing) is said once, by the run; Quartz's job
        // would repeat it as an ERROR with the exception
        level(context, "org.apache.camel.component.quartz.CamelJob", "OFF");
    }

    private static void level(LoggerContext context, String logger, String level) {
        context.getLogger(logger).setLevel(Level.toLevel(level, Level.INFO));
    }

    private static String setting(String name, String dflt) {
        String v = System.getProperty(name, System.getenv(name));
        return v == null || v.isBlank() ? dflt : v.trim();
    }
}
