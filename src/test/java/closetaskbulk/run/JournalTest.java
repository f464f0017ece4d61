package closetaskbulk.run;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A journal cut short by a crash is never misread, and what comes after a torn line is still read; batches that
 * journal together share an fsync, and none returns before its own line is on disk.
 */
class JournalTest {

    @TempDir
    Path dir;

    private static final String SHA = "abc123";
    private static final Map<String, JsonNode> READ = Map.of("task_A", new ObjectMapper().createObjectNode().put("id", "task_A"));

    private Journal open() {
        return Journal.open(Journal.files(dir), SHA, "batch=10", "base");
    }

    @Test
    void aTornLastLineIsNotMisreadAndLinesAfterItStillCount() throws Exception {
        Journal j = open();
        j.read(1, READ);
        j.read(12, READ);
        j.ok(12);
        j.close();
        Path file = dir.resolve(SHA + ".log");
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int cut = text.lastIndexOf("ok 12") + "ok 1".length(); // "ok 12" cut to "ok 1" by the crash
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(cut);
        }

        Journal resumed = open();
        Journal.Entry one = resumed.entry(1);
        assertNull(one == null ? null : one.ok() ? "ok" : null,
                "batch 1 was never confirmed: a torn 'ok 12' must not read as 'ok 1'");
        Journal.Entry twelve = resumed.entry(12);
        assertNotNull(twelve);
        assertFalse(twelve.ok(), "the torn confirmation of 12 does not count");
        assertNull(resumed.entry(12), "an entry is handed out once (each batch starts once): not kept in memory");
        resumed.ok(12); // the resumed run confirms 12 after the torn line
        resumed.close();

        Journal again = open();
        assertTrue(again.entry(12).ok(), "a line after a torn one still counts");
        assertFalse(again.entry(1).ok());
        again.close();
    }

    /** A journal whose fsyncs go through {@code force}. */
    private Journal open(Force force) {
        return Journal.open(sha -> new Journal.FileLog(dir, sha) {
            @Override
            void force(FileChannel ch) throws IOException {
                force.run(ch, () -> super.force(ch));
            }
        }, SHA, "batch=10", "base");
    }

    private interface Force {
        void run(FileChannel ch, Fsync real) throws IOException;
    }

    private interface Fsync {
        void run() throws IOException;
    }

    private long lines() throws IOException {
        return Files.readAllLines(dir.resolve(SHA + ".log")).size();
    }

    /** Runs {@code batches} reads at once, one thread each; their futures. */
    private static List<Future<?>> readsAtOnce(Journal j, int batches, ExecutorService pool) {
        List<Future<?>> reads = new ArrayList<>();
        for (int b = 1; b <= batches; b++) {
            int batch = b;
            reads.add(pool.submit(() -> j.read(batch, READ)));
        }
        return reads;
    }

    @Test
    void batchesThatJournalTogetherShareOneFsync() throws Exception {
        AtomicInteger forces = new AtomicInteger();
        Journal j = open((ch, real) -> {
            if (forces.incrementAndGet() == 2) { // the first read's: held until the three other reads are written
                await().atMost(10, TimeUnit.SECONDS).until(() -> lines() == 5);
            }
            real.run();
        });
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (Future<?> read : readsAtOnce(j, 4, pool)) {
                read.get(20, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(3, forces.get(), "the run line's fsync, the first read's, then one for the three written meanwhile");
        j.close();
    }

    @Test
    void noReadReturnsBeforeItsLineIsOnDisk() throws Exception {
        AtomicLong forcedTo = new AtomicLong();
        Journal j = open((ch, real) -> {
            long size = ch.size(); // what this fsync covers at least
            real.run();
            forcedTo.accumulateAndGet(size, Math::max);
        });
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> reads = new ArrayList<>();
            for (int b = 1; b <= 200; b++) {
                int batch = b;
                reads.add(pool.submit(() -> {
                    j.read(batch, READ);
                    String text = Files.readString(dir.resolve(SHA + ".log"), StandardCharsets.UTF_8);
                    int end = text.indexOf('\n', text.indexOf("\nread " + batch + " ") + 1) + 1;
                    assertTrue(end <= forcedTo.get(), "read " + batch + " returned before its line was forced");
                    return null;
                }));
            }
            for (Future<?> read : reads) {
                read.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        j.close();
    }

    @Test
    void aFailedFsyncFailsEveryLineWaitingOnItAndEveryLaterOne() throws Exception {
        AtomicInteger forces = new AtomicInteger();
        Journal j = open((ch, real) -> {
            if (forces.incrementAndGet() == 2) { // the first read's fails once the second read is written
                await().atMost(10, TimeUnit.SECONDS).until(() -> lines() == 3);
                throw new IOException("Input/output error");
            }
            real.run(); // a later fsync would succeed: it must not make the lost lines count as durable
        });
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (Future<?> read : readsAtOnce(j, 2, pool)) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(20, TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof ReportWriteException, String.valueOf(e.getCause()));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThrows(ReportWriteException.class, () -> j.ok(1));
        assertEquals(2, forces.get(), "no fsync after the failed one");
        j.close();
    }
}
