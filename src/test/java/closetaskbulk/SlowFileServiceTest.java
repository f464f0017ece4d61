package closetaskbulk;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A file still being written is read once, whole, when it has stopped changing. */
class SlowFileServiceTest extends ServiceTestSupport {

    @Test
    void aFileWrittenSlowlyIsReadOnceAndWhole() throws Exception {
        List<String> ids = f.seed(150);
        StringBuilder sb = new StringBuilder("id,is_complete\n");
        ids.forEach(id -> sb.append(id).append(",true\n"));
        byte[] all = sb.toString().getBytes(StandardCharsets.UTF_8);
        Files.createDirectories(f.inbox);
        Path file = f.inbox.resolve("slow.csv");
        try (OutputStream out = Files.newOutputStream(file)) {
            int piece = all.length / 12;
            for (int i = 0; i < all.length; i += piece) { // about 12 pieces over 3 s, cut mid-line
                out.write(all, i, Math.min(piece, all.length - i));
                out.flush();
                Thread.sleep(250);
            }
        }
        // the file reaches done/ only after its reports are written (NotifyBuilder would count split parts too)
        await().atMost(30, TimeUnit.SECONDS).until(() -> f.files(f.done).contains("slow.csv"));
        assertEquals(150, f.results("slow").size());
        assertTrue(f.results("slow").stream().allMatch(r -> r.get("status").equals("UPDATED")));
        assertEquals(2, f.count("GET /task/"), "read once: 150 rows are two batches");
        assertEquals(2, f.count("PUT /task/"));
        assertEquals(List.of("slow.csv"), f.files(f.done));
    }
}
