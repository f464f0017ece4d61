package closetaskbulk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults an operator met on the built jar (issue 20): each ends in one line, an exit code, and the input kept
 * where a later run finishes it.
 */
class TrustTest {

    private final Fixture f = new Fixture();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final ch.qos.logback.classic.Logger root =
            (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void listen() {
        log.start();
        root.addAppender(log);
    }

    @AfterEach
    void close() {
        root.detachAppender(log);
        f.close();
    }

    /** --once, ended within a minute (it used to poll the same file forever). */
    private int once(String... more) {
        String[] args = new String[more.length + 1];
        args[0] = "--once";
        System.arraycopy(more, 0, args, 1, more.length);
        return assertTimeoutPreemptively(Duration.ofSeconds(60), () -> f.run(args), "--once did not end");
    }

    private List<String> errors() {
        return log.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    private void noTrace() {
        assertEquals(List.of(), log.list.stream().filter(e -> e.getThrowableProxy() != null)
                .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).toList(), "no stack trace for an expected fault");
    }

    @Test
    void aStateFolderThatFillsAtTheRegisterEndsOnceWithExit3AndTheNextRunFinishesIt() throws Exception {
        List<String> ids = f.seed(3);
        Files.createDirectories(f.dir.resolve("state"));
        Files.writeString(f.dir.resolve("state/processed"), "a file where the register's folder should be");
        f.drop("full.csv", Fixture.csv("id,is_complete", ids.stream().map(i -> i + ",true").toList()));
        assertEquals(3, once(), f.output);
        List<String> errors = errors();
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("full.csv: cannot write its reports or state"), errors.get(0));
        noTrace();
        assertEquals(List.of("full.csv"), f.files(f.inbox), "the file stays where it can be retried");
        assertEquals(1, f.count("PUT /task/"));

        // the state lock was let go, and the next run finishes the file without sending anything again
        Files.delete(f.dir.resolve("state/processed"));
        assertEquals(0, once(), f.output);
        assertEquals(1, f.count("PUT /task/"));
        assertEquals(List.of("UPDATED", "UPDATED", "UPDATED"), Fixture.statuses(f.results("full")));
        assertEquals(List.of("full.csv"), f.files(f.done));
    }

    /**
     * The move to bulk.done fails after the content was registered: exit 3, one line, the file stays. That is
     * also what a kill between the register and the move leaves: the next run finishes the file (its journal
     * is still there) rather than calling it "already processed".
     */
    @Test
    void aMoveThatFailsIsExit3AndTheNextRunFinishesTheFileRatherThanCallingItProcessed() throws Exception {
        List<String> ids = f.seed(3);
        f.emulator.onRequest(r -> { // while Close answers, bulk.done turns into a plain file
            try {
                if (Files.isDirectory(f.done)) {
                    Files.delete(f.done);
                    Files.writeString(f.done, "a file where the folder should be");
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        f.drop("m.csv", Fixture.csv("id,is_complete", ids.stream().map(i -> i + ",true").toList()));
        assertEquals(3, once(), f.output);
        List<String> errors = errors();
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("m.csv: cannot be moved to " + f.done), errors.get(0));
        assertTrue(log.list.stream().noneMatch(e -> e.getFormattedMessage().contains(": moved to")), "no 'moved' for a file that stays");
        noTrace();
        assertEquals(List.of("m.csv"), f.files(f.inbox));
        assertTrue(Files.readString(f.dir.resolve("state/processed-files.txt")).strip().length() == 64, "registered");

        f.emulator.onRequest(r -> { });
        Files.delete(f.done);
        assertEquals(0, once(), f.output);
        assertEquals(1, f.count("PUT /task/"), "nothing sent again");
        assertEquals("finished", f.summary("m").get("outcome").asText());
        assertEquals(List.of("UPDATED", "UPDATED", "UPDATED"), Fixture.statuses(f.results("m")));
        assertEquals(List.of("m.csv"), f.files(f.done));
        assertEquals(List.of(), f.files(f.dir.resolve("state/journal")), "the journal goes once the file has moved");

        // the same content dropped again is a re-drop
        f.drop("m.csv", Fixture.csv("id,is_complete", ids.stream().map(i -> i + ",true").toList()));
        assertEquals(1, once(), f.output);
        assertEquals(2, f.files(f.done).size());
    }

    @Test
    void aHaltMidReadIsOneLine() {
        List<String> ids = f.seed(1000);
        f.set("close.batch-size", "2").set("close.concurrency", "2");
        AtomicInteger calls = new AtomicInteger();
        f.emulator.onRequest(r -> {
            if (calls.incrementAndGet() == 4) {
                f.emulator.revokeKey(Fixture.KEY);
            }
        });
        f.drop("k.csv", Fixture.csv("id,is_complete", ids.stream().map(i -> i + ",true").toList()));
        assertEquals(2, once(), f.output);
        List<String> errors = errors();
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("HALT: Close answered 401"), errors.get(0));
        noTrace();
        assertEquals(List.of("k.csv"), f.files(f.inbox));
        assertEquals("halted", f.summary("k").get("outcome").asText());
    }

    @Test
    void aSymbolicLinkInTheInboxIsRefusedWithoutReadingItsTarget() throws Exception {
        // a file the dropper may not read; its first line is what a followed link would publish
        Path secret = Files.writeString(f.dir.resolve("secret.txt"), "the-secret-line,x\n1,2\n");
        Files.createDirectories(f.inbox);
        Files.createSymbolicLink(f.inbox.resolve("peek.csv"), secret);
        assertEquals(1, once(), f.output);
        List<String> errors = errors();
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("peek.csv: refused, not read: a symbolic link"), errors.get(0));
        assertTrue(Files.isSymbolicLink(f.inbox.resolve("peek.csv")), "the link is left alone");
        assertFalse(log.list.stream().anyMatch(e -> e.getFormattedMessage().contains("the-secret-line")));
        assertFalse(f.output.contains("the-secret-line"));
        try (var all = Files.walk(f.dir)) {
            for (Path p : all.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    && !p.equals(secret)).toList()) {
                assertFalse(Files.readString(p).contains("the-secret-line"), p.toString());
            }
        }
    }

    @Test
    void aPipeInTheInboxIsRefusedAndTheOtherFilesGoOn() throws Exception {
        Files.createDirectories(f.inbox);
        Process mkfifo = new ProcessBuilder("mkfifo", f.inbox.resolve("pipe.csv").toString()).start();
        assertEquals(0, mkfifo.waitFor());
        List<String> ids = f.seed(1);
        f.drop("real.csv", Fixture.csv("id,is_complete", List.of(ids.get(0) + ",true")));
        assertEquals(1, once(), f.output); // before, the intake blocked opening the pipe, and --once never ended
        assertTrue(errors().stream().anyMatch(e -> e.startsWith("pipe.csv: refused, not read: not a regular file")),
                errors().toString());
        assertEquals(List.of("UPDATED"), Fixture.statuses(f.results("real")));
    }

    @Test
    void applyTakesOnePlan() throws Exception {
        Path reports = Files.createDirectories(f.reports);
        Files.writeString(reports.resolve("a.plan.csv"), "line,id\n");
        Files.writeString(reports.resolve("b.plan.csv"), "line,id\n");
        // what the shell makes of --apply data/reports/*.plan.csv
        assertEquals(2, f.run("--apply", reports.resolve("a.plan.csv").toString(), reports.resolve("b.plan.csv").toString()));
        assertEquals(1, f.output.strip().lines().count(), f.output);
        assertTrue(f.output.startsWith("error: --apply takes one plan"), f.output);
        // and a pattern the shell left as it is
        assertEquals(2, f.run("--apply", reports.resolve("*.plan.csv").toString()));
        assertEquals(1, f.output.strip().lines().count(), f.output);
        assertTrue(f.output.startsWith("error: --apply takes one plan"), f.output);
        assertFalse(Files.exists(f.done));
    }
}
