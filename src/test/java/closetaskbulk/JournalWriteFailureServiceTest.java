package closetaskbulk;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.spi.Registry;
import org.junit.jupiter.api.Test;

import closetaskbulk.intake.CsvIntake;
import closetaskbulk.intake.HeldFiles;
import closetaskbulk.run.Journal;
import closetaskbulk.run.Runs;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Close confirmed a batch, but its journal line cannot be written (a full disk): the file must stay in the
 * inbox, unregistered and held (not tried again in a loop, health DOWN), and a later try (the file touched)
 * finishes it from the journal; no row is reported FAILED for it.
 */
class JournalWriteFailureServiceTest extends ServiceTestSupport {

    static final AtomicInteger REFUSED = new AtomicInteger();

    @Override
    protected void prepare(Fixture fixture) {
        fixture.set("close.batch-size", "2");
    }

    @Override
    protected void beans(Registry registry) {
        Journal.Store real = Journal.files(f.dir.resolve("state").resolve("journal"));
        Journal.Store failing = sha -> {
            Journal.Log log = real.log(sha);
            return new Journal.Log() {
                @Override
                public boolean unfinished() throws IOException {
                    return log.unfinished();
                }

                @Override
                public void scan(Journal.LineVisitor visitor) throws IOException {
                    log.scan(visitor);
                }

                @Override
                public String lineAt(long position) throws IOException {
                    return log.lineAt(position);
                }

                @Override
                public void append(String line) throws IOException {
                    if (line.startsWith("ok ") && REFUSED.get() < 1) {
                        REFUSED.incrementAndGet();
                        throw new IOException("No space left on device");
                    }
                    log.append(line);
                }

                @Override
                public String setAside() throws IOException {
                    return log.setAside();
                }

                @Override
                public void delete() throws IOException {
                    log.delete();
                }

                @Override
                public void close() {
                    log.close();
                }
            };
        };
        registry.lookupByNameAndType("csvIntake", CsvIntake.class).durable(f.dir.resolve("state"),
                Bundle.processedFiles(f.dir.resolve("state-register")), failing, false);
        registry.lookupByNameAndType("runs", Runs.class).useJournals(failing);
    }

    @Test
    void aConfirmedBatchWhoseJournalLineFailsKeepsTheFileAndALaterTryFinishesIt() throws Exception {
        List<String> ids = f.seed(4);
        java.nio.file.Path file = f.drop("disk.csv", Fixture.csv("id,is_complete", ids.stream().map(i -> i + ",true").toList()));
        HeldFiles held = context.getRegistry().lookupByNameAndType("heldFiles", HeldFiles.class);
        await().atMost(30, TimeUnit.SECONDS).until(() -> held.troubles().containsKey(file.toAbsolutePath().toString()));
        assertEquals(1, REFUSED.get());
        // held, not tried again in a loop: nothing more is sent while it stays as it is
        int requests = f.emulator.requests().size();
        await().during(2, TimeUnit.SECONDS).atMost(4, TimeUnit.SECONDS).until(() -> f.emulator.requests().size() == requests
                && f.files(f.inbox).equals(List.of("disk.csv")));
        // the disk is freed; touching the file (or a restart) lets the intake take it again
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 1000));
        await().atMost(30, TimeUnit.SECONDS).until(() -> f.files(f.done).contains("disk.csv"));
        assertTrue(held.troubles().isEmpty());
        assertEquals(List.of("UPDATED", "UPDATED", "UPDATED", "UPDATED"),
                Fixture.statuses(f.results("disk")), "no row FAILED for a disk fault");
        assertEquals(List.of("disk.csv"), f.files(f.done), "moved once, when finished");
        assertTrue(f.files(f.reports).stream().noneMatch(n -> n.startsWith("disk-")), "one run's reports, resumed");
        for (String id : ids) {
            assertTrue(f.emulator.store().get(id).get("is_complete").asBoolean());
        }
        assertTrue(Files.exists(f.dir.resolve("state-register").resolve("processed-files.txt")));
    }
}
