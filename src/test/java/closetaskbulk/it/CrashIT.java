package closetaskbulk.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

import closetaskbulk.Fixture;
import closetaskbulk.emulator.CloseEmulator.Recorded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The built jar is killed with SIGKILL at a dozen points of a 5,000-row file (while Close is answering a
 * read or a write), and started again each time. In the end: every row reported once, no batch Close
 * confirmed written again, Close's store as expected, and the undo file holding the values from before.
 */
class CrashIT {

    @Test
    void killedAnywhereItFinishesWithNothingLostAndNothingTwice() throws Exception {
        try (Fixture f = new Fixture()) {
            List<String> ids = f.seed(5000);
            f.emulator.faults().latency(20, 20);
            Files.createDirectories(f.inbox);
            Files.writeString(f.inbox.resolve("crash.csv"), Fixture.csv("id,assigned_to",
                    ids.stream().map(i -> i + "," + Fixture.BOB).toList()));

            AtomicReference<Process> running = new AtomicReference<>();
            AtomicInteger requests = new AtomicInteger();
            AtomicInteger nextKill = new AtomicInteger(5);
            // after each kill: how many writes Close had seen, and the batches the journal holds as confirmed
            List<Map.Entry<Integer, Set<String>>> confirmedAtKill = new ArrayList<>();
            List<Integer> killedAt = new ArrayList<>();
            f.emulator.onRequest(r -> {
                int n = requests.incrementAndGet();
                if (n == nextKill.get() && killedAt.size() < 12) {
                    Process p = running.get();
                    if (p != null && p.isAlive()) {
                        p.destroyForcibly(); // SIGKILL, while this answer is on its way
                        killedAt.add(n);
                    }
                    nextKill.addAndGet(8);
                }
            });

            Path log = f.dir.resolve("runs.log");
            int exit = -1;
            for (int attempt = 0; attempt < 20; attempt++) {
                Process p = start(f, log);
                running.set(p);
                assertTrue(p.waitFor(120, TimeUnit.SECONDS), "a run hung");
                exit = p.exitValue();
                if (exit != 137 && exit != 143) { // not killed: done
                    break;
                }
                confirmedAtKill.add(Map.entry(f.emulator.requests("PUT /task/").size(), journaledOk(f)));
            }
            assertEquals(0, exit, Files.readString(log));
            assertTrue(killedAt.size() >= 10, "killed at " + killedAt);

            List<CSVRecord> results = f.results("crash");
            assertEquals(5000, results.size());
            for (int i = 0; i < 5000; i++) {
                assertEquals(String.valueOf(i + 2), results.get(i).get("line"));
                assertEquals(ids.get(i), results.get(i).get("id"));
                assertEquals("UPDATED", results.get(i).get("status"), results.get(i).toString());
            }
            List<Recorded> puts = f.emulator.requests("PUT /task/");
            Set<String> confirmedByClose = new HashSet<>();
            puts.stream().filter(r -> r.status() == 200).forEach(r -> confirmedByClose.add(JournalLines.sorted(r)));
            assertEquals(50, confirmedByClose.size());
            int checked = 0;
            for (Map.Entry<Integer, Set<String>> kill : confirmedAtKill) {
                for (Recorded later : puts.subList(kill.getKey(), puts.size())) {
                    assertFalse(kill.getValue().contains(JournalLines.sorted(later)),
                            "a batch the journal held as confirmed was written again after a restart");
                    checked++;
                }
            }
            assertTrue(checked > 0 && confirmedAtKill.stream().anyMatch(k -> !k.getValue().isEmpty()));
            // writes sent again are only those whose answer the killed process never journaled
            long resent = puts.stream().filter(r -> r.status() == 200).count() - 50;
            assertTrue(resent <= confirmedAtKill.size() * 4L, "at most close.concurrency resends per kill: " + resent);
            for (String id : ids) {
                assertEquals(Fixture.BOB, f.emulator.store().get(id).get("assigned_to").asText(), id);
            }
            List<CSVRecord> undo = Fixture.csv(f.reports.resolve("crash.undo.csv"));
            assertEquals(5000, undo.size());
            Set<String> undone = new HashSet<>();
            for (CSVRecord r : undo) {
                assertEquals(Fixture.ALICE, r.get("assigned_to"), "before-values, read before the first write");
                undone.add(r.get("id"));
            }
            assertEquals(new HashSet<>(ids), undone);
            assertEquals(List.of("crash.csv"), f.files(f.done));
        }
    }

    /** The id sets of the batches the run journal marks "ok". */
    private static Set<String> journaledOk(Fixture f) throws Exception {
        Set<String> ok = new HashSet<>();
        Path dir = f.dir.resolve("state/journal");
        if (!Files.isDirectory(dir)) {
            return ok;
        }
        for (Path j : Files.list(dir).filter(p -> p.toString().endsWith(".log")).toList()) {
            ok.addAll(JournalLines.confirmed(Files.readAllLines(j)));
        }
        return ok;
    }

    private static Process start(Fixture f, Path log) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dbulk.inbox=" + f.inbox, "-Dbulk.done=" + f.done, "-Dbulk.failed=" + f.failed,
                "-Dbulk.reports=" + f.reports, "-Dbulk.state=" + f.dir.resolve("state"),
                "-Dbulk.read-lock-min-age=0", "-jar", "target/close-task-bulk.jar", "--once");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("CLOSE_BASE_URL", f.emulator.baseUrl());
        pb.environment().put("CLOSE_API_KEY", Fixture.KEY);
        return pb.start();
    }
}
