package closetaskbulk.run;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
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
        /** Whether it holds lines of an unfinished run. */
        boolean unfinished() throws IOException;

        /** Hands each line of its unfinished run, in order, with where it is (for {@link #lineAt}), one at a time. */
        void scan(LineVisitor visitor) throws IOException;

        /** The line at a position {@link #scan} gave. */
        String lineAt(long position) throws IOException;

        /** Appends a line; durable when this returns. Called by several batches at once. */
        void append(String line) throws IOException;

        /** Keeps the lines of an unmatched earlier run apart; says where. */
        String setAside() throws IOException;

        /** The run finished: nothing to resume. */
        void delete() throws IOException;

        void close();
    }

    /** Receives a journal's lines one by one. */
    public interface LineVisitor {
        void line(long position, String line) throws IOException;
    }

    /** What the journal knows of one batch. */
    public record Entry(Map<String, JsonNode> found, boolean ok) {
    }

    private final Log log;
    private final String base;
    private final boolean sealed;
    // what a resume needs, not the lines: where each batch's read is (read again when the batch starts), and
    // which batches Close confirmed; a 10,000-batch journal is kept in about 1 MB rather than its reads' size
    private final Map<Integer, Long> readAt = new HashMap<>();
    private final java.util.BitSet oks = new java.util.BitSet();

    private Journal(Log log, String base, boolean sealed) {
        this.log = log;
        this.base = base;
        this.sealed = sealed;
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
            if (log.unfinished()) {
                Journal j = load(log, fingerprint);
                if (j != null) {
                    LOG.info("resuming an unfinished run of this file: {} batches already confirmed by Close are "
                            + "not sent again", j.oks.cardinality());
                    return j;
                }
                String aside = log.setAside();
                LOG.warn("an unfinished run of this file used other batching settings; its journal is kept as {} "
                        + "and the file is processed anew (rows Close already changed read back as UNCHANGED)", aside);
            }
            Journal j = new Journal(log, newBase, true);
            j.append("run " + newBase + " " + fingerprint);
            return j;
        } catch (IOException e) {
            throw new ReportWriteException("the run journal of " + sha, e);
        }
    }

    /** Reads the journal once, line by line, keeping what a resume needs; null when its settings differ. */
    private static Journal load(Log log, String fingerprint) throws IOException {
        Journal[] j = {null};
        boolean[] mismatch = {false};
        log.scan((position, raw) -> {
            if (mismatch[0]) {
                return;
            }
            if (j[0] == null) {
                boolean sealed = unseal(raw) != null; // journals written before lines were sealed: taken as they are
                String[] head = (sealed ? unseal(raw) : raw).split(" ", 3);
                if (head.length < 3 || !head[0].equals("run") || !head[2].equals(fingerprint)) {
                    mismatch[0] = true;
                } else {
                    j[0] = new Journal(log, head[1], sealed);
                }
                return;
            }
            String line = j[0].text(raw);
            if (line == null) {
                return; // a line torn by a crash: it never counts, and the lines after it still do
            }
            String[] p = line.split(" ", 3);
            try {
                if (p[0].equals("read") && p.length == 3) {
                    j[0].readAt.put(Integer.parseInt(p[1]), position);
                } else if (p[0].equals("ok") && p.length >= 2) {
                    j[0].oks.set(Integer.parseInt(p[1]));
                }
            } catch (RuntimeException e) {
                LOG.debug("a journal line that does not parse is left out: {}", e.toString());
            }
        });
        return mismatch[0] ? null : j[0];
    }

    /** A line's text: unsealed (null when torn), or as it is in a journal written before lines were sealed. */
    private String text(String raw) {
        return sealed ? unseal(raw) : raw;
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
        Long at = readAt.remove(batch);
        if (at == null) {
            return null;
        }
        try {
            String line = text(log.lineAt(at));
            String[] p = line == null ? new String[0] : line.split(" ", 3);
            if (p.length < 3) {
                return null;
            }
            Map<String, JsonNode> found = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = JSON.readTree(p[2]).fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                found.put(e.getKey(), e.getValue());
            }
            return new Entry(found, oks.get(batch));
        } catch (IOException e) {
            throw new ReportWriteException("the run journal", e); // read back: the state folder failing, not the data
        }
    }

    /**
     * A batch's read, on disk before its write goes out (not kept here: the batch holds it). Not synchronized,
     * like {@link #ok}: batches that journal at the same time share one fsync ({@link FileLog}).
     */
    public void read(int batch, Map<String, JsonNode> found) {
        try {
            append("read " + batch + " " + JSON.writeValueAsString(found));
        } catch (IOException e) {
            throw new ReportWriteException("the run journal", e);
        }
    }

    public void ok(int batch) {
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

    /**
     * bulk.state/journal/&lt;sha&gt;.log, each line forced to disk before its append returns. Lines that batches
     * append at the same time share one fsync (a group commit): an append writes its line, then waits for a
     * force that started after the write; while one force runs, the lines written meanwhile wait for the next,
     * which covers them all. After a failed write or force the log refuses every later append: a later force
     * may succeed without the earlier lines being on disk (Linux forgets the error once reported), so no
     * append waiting on the failed one may count as durable.
     */
    static class FileLog implements Log {
        private final Path dir;
        private final Path file;
        private final Object forcing = new Object(); // held while a force runs; taken before this (never after)
        private FileChannel out;
        private FileChannel in;
        private long written; // where the lines written so far end (guarded by this)
        private long durable; // where the lines forced so far end (guarded by forcing)
        private volatile IOException failed;

        FileLog(Path dir, String sha) {
            this.dir = dir;
            this.file = dir.resolve(sha + ".log");
        }

        @Override
        public boolean unfinished() throws IOException {
            return Files.exists(file) && Files.size(file) > 0;
        }

        @Override
        public void scan(LineVisitor visitor) throws IOException {
            if (!Files.exists(file)) {
                return;
            }
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(1024);
                long position = 0;
                long start = 0;
                for (int b; (b = in.read()) >= 0; ) {
                    position++;
                    if (b == '\n') {
                        visitor.line(start, decode(line));
                        line.reset();
                        start = position;
                    } else {
                        line.write(b);
                    }
                }
                if (line.size() > 0) {
                    visitor.line(start, decode(line));
                }
            }
        }

        @Override
        public synchronized String lineAt(long position) throws IOException {
            if (in == null) {
                in = FileChannel.open(file, StandardOpenOption.READ);
            }
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(1024);
            ByteBuffer buf = ByteBuffer.allocate(8192);
            for (long at = position; in.read(buf.clear(), at) > 0; at += buf.position()) {
                buf.flip();
                while (buf.hasRemaining()) {
                    byte b = buf.get();
                    if (b == '\n') {
                        return decode(line);
                    }
                    line.write(b);
                }
            }
            return decode(line);
        }

        /** A line cut mid-character by a crash decodes with replacement characters: its seal then fails. */
        private static String decode(java.io.ByteArrayOutputStream line) {
            return line.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void append(String line) throws IOException {
            force(write(line));
        }

        /** Writes a line; returns where it ends. */
        private synchronized long write(String line) throws IOException {
            refuseIfFailed();
            try {
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
                written = out.position();
                return written;
            } catch (IOException e) {
                throw failed(e);
            }
        }

        /** Returns once the lines up to {@code end} are on disk: forced by this call, or by one that started after them. */
        private void force(long end) throws IOException {
            synchronized (forcing) {
                refuseIfFailed();
                if (durable >= end) {
                    return; // a force that started after this line was written covered it
                }
                FileChannel ch;
                long upTo;
                synchronized (this) {
                    ch = out;
                    upTo = written;
                }
                try {
                    force(ch);
                } catch (IOException e) {
                    throw failed(e);
                }
                durable = upTo;
            }
        }

        /** One fsync of the file's data (a seam for tests that count them). */
        void force(FileChannel ch) throws IOException {
            ch.force(false);
        }

        private IOException failed(IOException e) {
            if (failed == null) {
                failed = e;
            }
            return e;
        }

        private void refuseIfFailed() throws IOException {
            IOException e = failed;
            if (e != null) {
                throw new IOException("an earlier journal line could not be written (" + e.getMessage() + ")", e);
            }
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
            synchronized (forcing) {
                synchronized (this) {
                    try {
                        if (in != null) {
                            in.close();
                            in = null;
                        }
                        if (out != null) {
                            if (durable < written && failed == null) { // a line written, its force still to come
                                force(out);
                                durable = written;
                            }
                            out.close();
                            out = null;
                        }
                    } catch (IOException e) {
                        failed(e);
                        LOG.warn("cannot close {}: {}", file, e.toString());
                    }
                }
            }
        }
    }
}
