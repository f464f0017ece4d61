package closetaskbulk;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Progress people can read: rows done of total, rate and time left while a file runs, then one closing line. */
class ProgressTest {

    static final Pattern PROGRESS = Pattern.compile(
            "big: ([\\d,]+) of 3,000 rows \\((\\d+)%\\), [\\d,]+ rows/s(, about \\d+ s left)?");

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final List<Logger> loggers = List.of((Logger) LoggerFactory.getLogger("closetaskbulk.progress"),
            (Logger) LoggerFactory.getLogger("closetaskbulk.intake.CsvIntake"),
            (Logger) LoggerFactory.getLogger("closetaskbulk.run.Runs"));

    @BeforeEach
    void capture() {
        log.start();
        loggers.forEach(l -> l.addAppender(log));
    }

    @AfterEach
    void release() {
        loggers.forEach(l -> l.detachAppender(log));
    }

    @Test
    void aFileLogsProgressThenOneClosingLine() {
        try (Fixture f = new Fixture()) {
            List<String> ids = f.seed(3000);
            f.set("close.batch-size", "50").set("bulk.progress-interval", "0");
            f.drop("big.csv", Fixture.csv("id,is_complete", ids.stream().map(i -> i + ",true").toList()));
            assertEquals(0, f.run("--once"), f.output);

            List<String> lines = new ArrayList<>();
            log.list.forEach(e -> lines.add(e.getFormattedMessage()));
            List<Integer> done = new ArrayList<>();
            for (String line : lines) {
                Matcher m = PROGRESS.matcher(line);
                if (m.matches()) {
                    done.add(Integer.parseInt(m.group(1).replace(",", "")));
                }
            }
            assertTrue(done.size() >= 2, "progress lines: " + lines);
            for (int i = 1; i < done.size(); i++) {
                assertTrue(done.get(i) >= done.get(i - 1), "rows done only grow: " + done);
            }
            assertTrue(done.get(done.size() - 1) <= 3000);
            List<String> closing = lines.stream().filter(l -> l.startsWith("big: done")).toList();
            assertEquals(1, closing.size(), lines.toString());
            assertTrue(closing.get(0).matches("big: done, 3000 rows \\{UPDATED=3000}; 120 requests; reports: .*"
                    + "big\\.results\\.csv, .*big\\.undo\\.csv, .*big\\.summary\\.json"), "every report is named: " + closing.get(0));
            assertTrue(lines.indexOf(closing.get(0)) == lines.size() - 2, "the closing line comes last but the move");
            assertTrue(lines.get(lines.size() - 1).matches("big\\.csv: moved to .*done.big\\.csv"), lines.toString());
        }
    }
}
