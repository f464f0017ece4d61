package closetaskbulk.intake;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one check pass over a dropped file: UTF-8, SHA-256 and shape together. */
class CsvFileTest {

    @TempDir
    Path dir;

    Path file(byte[] bytes) throws Exception {
        return Files.write(dir.resolve("f.csv"), bytes);
    }

    @Test
    void aLargeFileWithCharactersAcrossEveryBufferBoundaryIsReadWhole() throws Exception {
        StringBuilder csv = new StringBuilder("\uFEFFid;assigned_to\n");
        int rows = 0;
        while (csv.length() < 300_000) { // 2- and 4-byte characters land on the 64 KB boundaries somewhere
            csv.append("task_").append(rows).append(';').append(rows % 7 == 0 ? "\"Jürgen; 🙂\"" : "Jürgen 🙂 x").append('\n');
            rows++;
        }
        byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
        CsvFile.Shape shape = CsvFile.check(file(bytes));
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), shape.sha());
        assertEquals(';', shape.delimiter());
        assertEquals(List.of("id", "assigned_to"), shape.header());
        assertEquals(rows, shape.rows());
        assertEquals(List.of("task_0", "Jürgen; 🙂"), shape.first());
    }

    @Test
    void badBytesAnywhereAreNamedBeforeACsvMistakeEarlierOn() throws Exception {
        byte[] start = "id,date\ntask_a,2026-01-01,extra\n".getBytes(StandardCharsets.UTF_8);
        byte[] end = "task_\u00c4,2026-01-01\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] bytes = new byte[start.length + end.length];
        System.arraycopy(start, 0, bytes, 0, start.length);
        System.arraycopy(end, 0, bytes, start.length, end.length);
        FileRejectedException e = assertThrows(FileRejectedException.class, () -> CsvFile.check(file(bytes)));
        assertTrue(e.getMessage().startsWith("the file is not UTF-8 text (bad bytes near byte " + (start.length + 5) + ")"),
                e.getMessage());
    }

    @Test
    void aFileEndingInsideACharacterOrEmptyOrRaggedIsRejected() throws Exception {
        byte[] cut = "id,date\ntask_a,2026-01-01 \u00e9".getBytes(StandardCharsets.UTF_8);
        FileRejectedException e = assertThrows(FileRejectedException.class,
                () -> CsvFile.check(file(java.util.Arrays.copyOf(cut, cut.length - 1))));
        assertTrue(e.getMessage().contains("ends inside a character"), e.getMessage());
        e = assertThrows(FileRejectedException.class, () -> CsvFile.check(file(new byte[0])));
        assertTrue(e.getMessage().startsWith("the file is empty"), e.getMessage());
        e = assertThrows(FileRejectedException.class, () -> CsvFile.check(file(
                "id,date\ntask_a,2026-01-01\ntask_b\n".getBytes(StandardCharsets.UTF_8))));
        assertTrue(e.getMessage().startsWith("line 3 has 1 cell but the header has 2 columns"), e.getMessage());
    }
}
