package closetaskbulk;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import closetaskbulk.intake.CsvIntake;
import closetaskbulk.run.Journal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Close confirmed a batch, but its journal line cannot be written (a full disk): the file must stay in the
 * inbox, unregistered, and a later try finishes it from the journal; no row is reported FAILED for it.
 */
class JournalWriteFailureServiceTest extends ServiceTestSupport {

    static final AtomicInteger REFUSED = new AtomicInteger();

    @Override
    protected void prepare(Fixture fixture) {
        fixture.set("close.batch-size", "2");
    }

    @Override
    protected void beans(Map<String, Object> beans) {
        Journal.Store real = Journal.files(f.dir.resolve("state").resolve("journal"));
        Journal.Store failing = sha -> {
            Journal.Log log = real.log(sha);
            return new Journal.Log() {
                @Override
                public List<String> lines() throws IOException {
                    return log.lines();
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
        ((CsvIntake) beans.get("csvIntake")).durable(f.dir.resolve("state"),
                Bundle.processedFiles(f.dir.resolve("state-register")), failing, false);
    }

    @Test
    void aConfirmedBatchWhoseJournalLineFailsKeepsTheFileAndALaterTryFinishesIt() throws Exception {
        List<String> ids = f.seed(4);
        f.drop("disk.csv", Fixture.csv("id,is_complete", ids.stream().map(i -> i + ",true").toList()));
        await().atMost(30, TimeUnit.SECONDS).until(() -> f.files(f.done).contains("disk.csv"));
        assertEquals(1, REFUSED.get());
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
