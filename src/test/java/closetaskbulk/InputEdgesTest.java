package closetaskbulk;

import java.nio.file.Files;
import java.util.List;

import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Awkward inputs get a clear result or error, and leave the input where it can be retried. */
class InputEdgesTest {

    private final Fixture f = new Fixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void oddFileNamesAreProcessedAndKeptApart() {
        List<String> ids = f.seed(3);
        f.drop("Q3 wrap-up; (final) ü «copy».csv", Fixture.csv("id,is_complete", List.of(ids.get(0) + ",true")));
        f.drop("-rf.csv", Fixture.csv("id,is_complete", List.of(ids.get(1) + ",true")));
        f.drop("notes.txt", "id,is_complete\n" + ids.get(2) + ",true\n");
        f.drop(".hidden.csv", "id,is_complete\n" + ids.get(2) + ",true\n");
        assertEquals(0, f.run("--once"), f.output);
        assertEquals(List.of("-rf.csv", "Q3 wrap-up; (final) ü «copy».csv"), f.files(f.done));
        assertEquals("UPDATED", f.results("Q3 wrap-up; (final) ü «copy»").get(0).get("status"));
        assertEquals("UPDATED", f.results("-rf").get(0).get("status"));
        assertEquals(List.of(".hidden.csv", "notes.txt"), f.files(f.inbox), "only visible *.csv files are read");
    }

    @Test
    void aTenMegabyteLineIsOneInvalidRowWithAShortMessage() {
        List<String> ids = f.seed(1);
        String huge = "x".repeat(10 * 1024 * 1024);
        f.drop("huge.csv", "id,is_complete\n" + huge + ",true\n" + ids.get(0) + ",true\n");
        assertEquals(1, f.run("--once"), f.output);
        List<CSVRecord> rows = f.results("huge");
        assertEquals("INVALID", rows.get(0).get("status"));
        assertTrue(rows.get(0).get("message").length() < 200, "message cut: " + rows.get(0).get("message").length());
        assertTrue(rows.get(0).get("message").contains("10485760 characters"));
        assertEquals("UPDATED", rows.get(1).get("status"));
    }

    @Test
    void aFileReplacedWhileItIsReadIsNotReportedAgainstItsNewContent() throws Exception {
        List<String> ids = f.seed(4);
        f.set("close.concurrency", "1");
        f.drop("swap.csv", Fixture.csv("id,assigned_to", List.of(ids.get(0) + "," + Fixture.BOB, ids.get(1) + "," + Fixture.BOB)));
        java.util.concurrent.atomic.AtomicBoolean swapped = new java.util.concurrent.atomic.AtomicBoolean();
        f.emulator.onRequest(r -> {
            if (r.group().equals("PUT /task/") && swapped.compareAndSet(false, true)) {
                try { // replace the file under the running intake, as an editor saving over it would
                    java.nio.file.Path tmp = f.inbox.resolve(".swap.tmp");
                    Files.writeString(tmp, Fixture.csv("id,is_complete", List.of(ids.get(2) + ",true",
                            ids.get(3) + ",true", "task_Extra,true")));
                    Files.move(tmp, f.inbox.resolve("swap.csv"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        assertEquals(1, f.run("--once"), f.output);
        assertEquals("changed", f.summary("swap").get("outcome").asText());
        assertTrue(f.summary("swap").get("reason").asText().contains("replaced or changed"));
        // the new content was then processed as a file of its own
        String second = f.files(f.reports).stream().filter(n -> n.matches("swap-\\d{8}-\\d{6}\\.results\\.csv"))
                .findFirst().orElseThrow().replace(".results.csv", "");
        assertEquals(List.of("UPDATED", "UPDATED", "NOT_FOUND"), f.results(second).stream().map(r -> r.get("status")).toList());
        assertEquals(List.of("swap.csv"), f.files(f.done));
        assertEquals(Fixture.BOB, f.emulator.store().get(ids.get(0)).get("assigned_to").asText());
    }

    @Test
    void reportsThatCannotBeWrittenLeaveTheFileInTheInboxAndARetryFinishesIt() throws Exception {
        List<String> ids = f.seed(2);
        f.drop("nospace.csv", Fixture.csv("id,assigned_to", ids.stream().map(i -> i + "," + Fixture.BOB).toList()));
        // while Close answers the write, the reports folder turns into a plain file: every report write
        // from then on fails, as on a full disk
        f.emulator.onRequest(r -> {
            if (r.group().equals("PUT /task/")) {
                try {
                    if (Files.isDirectory(f.reports)) {
                        try (var old = Files.walk(f.reports)) {
                            old.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                        }
                        Files.writeString(f.reports, "not a folder");
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        assertEquals(3, f.run("--once"), f.output);
        assertEquals(List.of("nospace.csv"), f.files(f.inbox), "the file stays where it can be retried");
        assertEquals(1, f.count("PUT /task/"));

        Files.delete(f.reports);
        assertEquals(0, f.run("--once"), f.output);
        assertEquals(1, f.count("PUT /task/"), "the confirmed batch is not sent again");
        assertEquals(List.of("UPDATED", "UPDATED"), f.results("nospace").stream().map(r -> r.get("status")).toList());
        assertEquals(2, Fixture.csv(f.reports.resolve("nospace.undo.csv")).size());
        assertEquals(List.of("nospace.csv"), f.files(f.done));
    }

    /** A real full disk: the reports folder on a small tmpfs, filled up (needs root to mount; CI runs as root). */
    @Test
    void aFullDiskLeavesTheFileInTheInboxAndFreeingSpaceFinishesIt() throws Exception {
        java.nio.file.Path disk = f.dir.resolve("small-disk");
        Files.createDirectories(disk);
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", disk.toString())
                .redirectErrorStream(true).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(mount.waitFor() == 0,
                "cannot mount a tmpfs here: " + new String(mount.getInputStream().readAllBytes()));
        try {
            java.nio.file.Path reports = disk.resolve("reports");
            Files.createDirectories(reports);
            f.set("bulk.reports", reports.toString());
            java.nio.file.Path filler = disk.resolve("filler");
            byte[] chunk = new byte[4096];
            try (var out = Files.newOutputStream(filler)) {
                for (int i = 0; i < 1000; i++) {
                    out.write(chunk);
                    out.flush();
                }
                throw new AssertionError("the 256k tmpfs took 4 MB");
            } catch (java.io.IOException full) {
                assertTrue(full.getMessage().contains("No space left on device"), full.getMessage());
            }
            List<String> ids = f.seed(2);
            f.drop("full.csv", Fixture.csv("id,is_complete", ids.stream().map(i -> i + ",true").toList()));

            var log = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
            var intakeLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(closetaskbulk.run.Runs.class);
            log.start();
            intakeLog.addAppender(log);
            try {
                assertEquals(3, f.run("--once"), f.output);
            } finally {
                intakeLog.detachAppender(log);
            }
            List<String> errors = log.list.stream().map(e -> e.getFormattedMessage()).toList();
            assertTrue(errors.stream().anyMatch(m -> m.startsWith("full: cannot write its reports or state")
                    && m.contains("No space left on device")), errors.toString());
            assertEquals(List.of("full.csv"), f.files(f.inbox), "the file stays where it can be retried");
            assertEquals(1, f.count("PUT /task/"));

            Files.delete(filler);
            assertEquals(0, f.run("--once"), f.output);
            assertEquals(1, f.count("PUT /task/"), "the confirmed batch is not sent again");
            assertEquals(List.of("UPDATED", "UPDATED"), Fixture.csv(reports.resolve("full.results.csv")).stream()
                    .map(r -> r.get("status")).toList());
            assertEquals(List.of("full.csv"), f.files(f.done));
        } finally {
            new ProcessBuilder("umount", disk.toString()).inheritIO().start().waitFor();
        }
    }
}
