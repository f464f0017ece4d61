package closetaskbulk.run;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A journal cut short by a crash is never misread, and what comes after a torn line is still read. */
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
}
