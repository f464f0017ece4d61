package closetaskbulk;

import java.io.IOException;
import java.nio.file.Path;
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
 * An internal error, an OutOfMemoryError included (a resume that once read a whole journal into memory), never
 * moves the input: it stays in the inbox, held (not retried in a loop, health DOWN), and a later try finishes it.
 */
class InternalErrorServiceTest extends ServiceTestSupport {

    static final AtomicInteger THROWN = new AtomicInteger();

    @Override
    protected void beans(Registry registry) {
        Journal.Store real = Journal.files(f.dir.resolve("state").resolve("journal"));
        Journal.Store failing = sha -> {
            Journal.Log log = real.log(sha);
            return new Journal.Log() {
                @Override
                public boolean unfinished() throws IOException {
                    if (THROWN.getAndIncrement() == 0) {
                        throw new OutOfMemoryError("Java heap space");
                    }
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
    void anOutOfMemoryErrorLeavesTheFileInTheInbox() throws Exception {
        List<String> ids = f.seed(2);
        Path file = f.drop("oom.csv", Fixture.csv("id,is_complete", ids.stream().map(i -> i + ",true").toList()));
        HeldFiles held = context.getRegistry().lookupByNameAndType("heldFiles", HeldFiles.class);
        await().atMost(30, TimeUnit.SECONDS).until(() -> held.troubles().containsKey(file.toAbsolutePath().toString()));
        assertTrue(held.troubles().values().iterator().next().contains("OutOfMemoryError"), held.troubles().toString());
        await().during(2, TimeUnit.SECONDS).atMost(4, TimeUnit.SECONDS).until(() -> f.files(f.inbox).equals(List.of("oom.csv"))
                && f.files(f.failed).isEmpty() && THROWN.get() == 1);
        assertEquals(0, f.count("PUT /task/"));

        java.nio.file.Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 1000));
        await().atMost(30, TimeUnit.SECONDS).until(() -> f.files(f.done).contains("oom.csv"));
        for (String id : ids) {
            assertTrue(f.emulator.store().get(id).get("is_complete").asBoolean());
        }
    }
}
