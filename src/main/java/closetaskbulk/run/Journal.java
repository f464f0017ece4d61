package closetaskbulk.run;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A write-ahead log of one file's run, so that a run killed at any moment finishes after a restart (or on
 * another instance of a cluster) without resending what Close confirmed. Kept in bulk.state/journal/&lt;sha256&gt;.log,
 * or in the database with the cluster profile ({@link Store}). One line per event, each durable before the
 * run goes on:
 * <pre>
 * run  &lt;report base&gt; &lt;fingerprint&gt;         first line: the reports' name and the batching settings
 * read &lt;batch&gt; {"id": {task as read}, …}  what the batch's tasks held, before its write is sent
 * ok   &lt;batch&gt;                             Close answered 2xx to the batch's write
 * </pre>
 * Every line ends in " #" and its CRC-32: a line torn by a crash (say "ok 12" cut to "ok 1") fails its check
 * and never counts, and the lines after it still do (a torn last line is ended before the next append).
 * On a restart the same file is batched the same way (same settings), so batch numbers match: an "ok" batch
 * is replayed from its "read" line with no request; a "read" batch without "ok" is written again, with the
 * before-values of that first read (never a read made after its write may have landed).
 */
public final class Journal {

    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where journals are kept: files, or a database table. */
    public interface Store {
        Log log(String sha);
    }

    /** The journal lines of one content. */
    public interface Log {
        /** The lines of its unfinished run, in order; empty when there is none. */
        List<String> lines() throws IOException;

        /** Appends a line; durable when this returns. */
        void append(String line) throws IOException;

        /** Keeps the lines of an unmatched earlier run apart; says where. */
        String setAside() throws IOException;

        /** The run finished: nothing to resume. */
        void delete() throws IOException;

        void close();
    }

    /** What the journal knows of one batch. */
    public record Entry(Map<String, JsonNode> found, boolean ok) {
    }

    private final Log log;
    private final String base;
    private final Map<Integer, Map<String, JsonNode>> reads = new HashMap<>();
    private final Map<Integer, Boolean> oks = new HashMap<>();

    private Journal(Log log, String base) {
        this.log = log;
        this.base = base;
    }

    /** Journals as files in {@code dir}: the single-process default. */
    public static Store files(Path dir) {
        return sha -> new FileLog(dir, sha);
    }

    /**
     * Opens the journal of the content {@code sha}. An earlier, unfinished run with the same fingerprint is
     * resumed; one with other batching settings cannot be matched batch by batch and is set aside.
     */
    public static Journal open(Store store, String sha, String fingerprint, String newBase) {
        Log log = store.log(sha);
        try {
            List<String> lines = log.lines();
            if (!lines.isEmpty()) {
                Journal j = load(log, lines, fingerprint);
                if (j != null) {
                    LOG.info("resuming an unfinished run of this file: {} batches already confirmed by Close are "
                            + "not sent again", j.oks.size());
                    return j;
                }
                String aside = log.setAside();
                LOG.warn("an unfinished run of this file used other batching settings; its journal is kept as {} "
                        + "and the file is processed anew (rows Close already changed read back as UNCHANGED)", aside);
            }
            Journal j = new Journal(log, newBase);
            j.append("run " + newBase + " " + fingerprint);
            return j;
        } catch (IOException e) {
            throw new ReportWriteException("the run journal of " + sha, e);
        }
    }

    private static Journal load(Log log, List<String> lines, String fingerprint) {
        boolean sealed = unseal(lines.get(0)) != null; // journals written before lines were sealed: taken as they are
        String first = sealed ? unseal(lines.get(0)) : lines.get(0);
        String[] head = first.split(" ", 3);
        if (head.length < 3 || !head[0].equals("run") || !head[2].equals(fingerprint)) {
            return null;
        }
        Journal j = new Journal(log, head[1]);
        for (String raw : lines.subList(1, lines.size())) {
            String line = sealed ? unseal(raw) : raw;
            if (line == null) {
                continue; // a line torn by a crash: it never counts, and the lines after it still do
            }
            String[] p = line.split(" ", 3);
            try {
                if (p[0].equals("read") && p.length == 3) {
                    Map<String, JsonNode> found = new LinkedHashMap<>();
                    for (Iterator<Map.Entry<String, JsonNode>> it = JSON.readTree(p[2]).fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> e = it.next();
                        found.put(e.getKey(), e.getValue());
                    }
                    j.reads.put(Integer.parseInt(p[1]), found);
                } else if (p[0].equals("ok") && p.length >= 2) {
                    j.oks.put(Integer.parseInt(p[1]), true);
                }
            } catch (RuntimeException | IOException e) {
                LOG.debug("a journal line that does not parse is left out: {}", e.toString());
            }
        }
        return j;
    }

    /** A line as written: its text, then " #" and the CRC-32 of the text, so a torn line never reads as another. */
    static String seal(String line) {
        CRC32 crc = new CRC32();
        crc.update(line.getBytes(StandardCharsets.UTF_8));
        return line + " #" + String.format("%08x", crc.getValue());
    }

    /** The text of a sealed line, or null when the line is torn (or not sealed). */
    public static String unseal(String raw) {
        int at = raw.lastIndexOf(" #");
        if (at < 0 || raw.length() - at != 10) {
            return null;
        }
        String text = raw.substring(0, at);
        return seal(text).equals(raw) ? text : null;
    }

    /** The report base name of the first attempt, so a resumed run writes over its own partial reports. */
    public String base() {
        return base;
    }

    /**
     * What an earlier run of this content recorded of a batch, once: each batch starts once per run, so the
     * entry is let go (a resumed million-row run does not keep every read in memory).
     */
    public synchronized Entry entry(int batch) {
        Map<String, JsonNode> found = reads.remove(batch);
        return found == null ? null : new Entry(found, oks.containsKey(batch));
    }

    /** A batch's read, on disk before its write goes out (not kept here: the batch holds it). */
    public synchronized void read(int batch, Map<String, JsonNode> found) {
        try {
            append("read " + batch + " " + JSON.writeValueAsString(found));
        } catch (IOException e) {
            throw new ReportWriteException("the run journal", e);
        }
    }

    public synchronized void ok(int batch) {
        append("ok " + batch);
    }

    /** The run finished and its reports are written: nothing left to resume. */
    public synchronized void finish() {
        close();
        try {
            log.delete();
        } catch (IOException e) {
            LOG.warn("cannot delete the finished run journal: {}", e.toString());
        }
    }

    public synchronized void close() {
        log.close();
    }

    private void append(String line) {
        try {
            log.append(seal(line));
        } catch (IOException e) {
            throw new ReportWriteException("the run journal", e);
        }
    }

    /** bulk.state/journal/&lt;sha&gt;.log, each line forced to disk. */
    static final class FileLog implements Log {
        private final Path dir;
        private final Path file;
        private FileChannel out;

        FileLog(Path dir, String sha) {
            this.dir = dir;
            this.file = dir.resolve(sha + ".log");
        }

        @Override
        public List<String> lines() throws IOException {
            if (!Files.exists(file)) {
                return List.of();
            }
            List<String> lines = new ArrayList<>();
            // a line cut mid-character by a crash decodes with replacement characters: its seal then fails
            try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            }
            return lines;
        }

        @Override
        public void append(String line) throws IOException {
            if (out == null) {
                Files.createDirectories(dir);
                out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                out.position(out.size()); // appending: one writer per journal
                if (out.size() > 0) { // a crash may have left a torn last line: it stays a line of its own
                    ByteBuffer last = ByteBuffer.allocate(1);
                    out.read(last, out.size() - 1);
                    if (last.get(0) != '\n') {
                        out.write(ByteBuffer.wrap(new byte[] {'\n'}));
                    }
                }
            }
            ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                out.write(b);
            }
            out.force(false);
        }

        @Override
        public String setAside() throws IOException {
            close();
            Path aside = file.resolveSibling(file.getFileName() + "." + System.currentTimeMillis() + ".old");
            Files.move(file, aside);
            return aside.toString();
        }

        @Override
        public void delete() throws IOException {
            close();
            Files.deleteIfExists(file);
        }

        @Override
        public void close() {
            try {
                if (out != null) {
                    out.close();
                    out = null;
                }
            } catch (IOException e) {
                LOG.warn("cannot close {}: {}", file, e.toString());
            }
        }
    }
}
