package closetaskbulk.intake;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.spi.IdempotentRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The re-drop guard: the SHA-256 of every content processed, in Camel's idempotent repository (a file, or
 * the database with the cluster profile), and where its first run's reports are (bulk.state/processed/).
 */
final class ProcessedFiles {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessedFiles.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path stateDir;
    private final IdempotentRepository register;

    ProcessedFiles(Path stateDir, IdempotentRepository register) {
        this.stateDir = stateDir;
        this.register = register;
    }

    boolean contains(String sha) {
        return register.contains(sha);
    }

    /** What the re-drop guard says of a content processed before. */
    String firstRun(String sha) {
        Path info = stateDir.resolve("processed").resolve(sha + ".json");
        String when = "before";
        String where = "";
        try {
            JsonNode n = JSON.readTree(info.toFile());
            when = "on " + n.path("finished").asText() + " as " + n.path("file").asText();
            where = "; its reports: " + n.path("summary").asText();
        } catch (IOException e) {
            LOG.debug("no details of the first run of {}: {}", sha, e.toString());
        }
        return "this content (SHA-256 " + sha.substring(0, 12) + "…) was processed " + when + where
                + ". Nothing was sent. To process it again on purpose, drop it with bulk.repeat=true (--repeat)";
    }

    /** Registers a content processed: its details first, then the register. */
    void remember(String sha, String fileName, Object finished, Path movedTo, Path summary) throws IOException {
        Path dir = stateDir.resolve("processed");
        Files.createDirectories(dir);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("file", fileName);
        info.put("finished", finished);
        info.put("moved_to", movedTo.toString());
        info.put("summary", summary.toString());
        JSON.writeValue(dir.resolve(sha + ".json").toFile(), info);
        sync(dir.resolve(sha + ".json"));
        register.add(sha);
        if (register instanceof org.apache.camel.support.processor.idempotent.FileIdempotentRepository file) {
            sync(file.getFileStore().toPath()); // Camel's repository only flushes: on disk before "done" is said
        }
    }

    /** Forces a file's content to disk. */
    static void sync(Path p) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }
}
