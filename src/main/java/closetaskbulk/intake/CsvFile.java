package closetaskbulk.intake;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import closetaskbulk.close.CloseApi;
import closetaskbulk.ops.Messages;

/** What makes a dropped file one the intake can read: UTF-8 throughout, and a header of known columns. */
final class CsvFile {

    private CsvFile() {
    }

    /** RFC 4180 as commons-csv reads it by default (CSVFormat.DEFAULT), with the file's delimiter. */
    static CSVFormat format(char delimiter) {
        return CSVFormat.DEFAULT.builder().setDelimiter(delimiter).build();
    }

    /** The file as text, without its byte order mark (Excel's "CSV UTF-8" writes one). */
    static Reader utf8Reader(Path file) throws IOException {
        return utf8Reader(Files.newInputStream(file));
    }

    static Reader utf8Reader(InputStream in) throws IOException {
        return withoutBom(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16));
    }

    /** A stream whose close leaves what it reads open (the check pass's descriptor is read again for the rows). */
    static InputStream unclosed(InputStream in) {
        return new java.io.FilterInputStream(in) {
            @Override
            public void close() {
            }
        };
    }

    private static BufferedReader withoutBom(BufferedReader r) throws IOException {
        r.mark(1);
        if (r.read() != '\uFEFF') {
            r.reset();
        }
        return r;
    }

    /**
     * Comma or semicolon (Excel in European locales): whichever the header line holds more of, outside quotes.
     * Reads at most the first MB of the header line, then puts the reader back where it was.
     */
    static char delimiter(BufferedReader r) throws IOException {
        int limit = 1 << 20;
        r.mark(limit + 1);
        int commas = 0;
        int semicolons = 0;
        boolean quoted = false;
        for (int c = r.read(), n = 0; c != -1 && n < limit; c = r.read(), n++) {
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted) {
                if (c == '\n' || c == '\r') {
                    break;
                }
                commas += c == ',' ? 1 : 0;
                semicolons += c == ';' ? 1 : 0;
            }
        }
        r.reset();
        return semicolons > commas ? ';' : ',';
    }

    /**
     * What the one check pass over the whole file found: its SHA-256 (hex), delimiter, header as written, data
     * rows and first data row.
     */
    record Shape(String sha, char delimiter, List<String> header, long rows, List<String> first) {
    }

    /**
     * The check pass: the whole file read once, before anything is sent, through a strict UTF-8 decoder over a
     * SHA-256 digest stream into the CSV parser. Bad bytes, an empty file, a quote never closed, text after a
     * closing quote, or a row with more or fewer cells than the header rejects the file, naming the line (data
     * lines count from 2, as in the results). Bad bytes anywhere are named before a CSV mistake, as a spreadsheet
     * saved in another encoding is the likelier cause.
     */
    static Shape check(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return check(in);
        }
    }

    /** The check pass over {@code in} (see {@link #check(Path)}); closes it. */
    static Shape check(InputStream in) throws IOException {
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (Utf8 text = new Utf8(new java.security.DigestInputStream(in, sha));
             BufferedReader r = new BufferedReader(text, 1 << 16)) {
            Shape shape;
            try {
                withoutBom(r);
                shape = shape(r);
                drain(r); // the digest covers every byte
            } catch (NotUtf8 e) { // met before the parser (the reader reads ahead)
                throw new FileRejectedException(e.getMessage());
            } catch (FileRejectedException e) {
                drain(r); // bad bytes further on win: they explain the CSV mistake
                if (text.bytes == 0) {
                    throw new FileRejectedException("the file is empty: it needs a header row (id, and any of "
                            + String.join(", ", CloseApi.UPDATE_FIELDS) + ")");
                }
                throw e;
            }
            return new Shape(java.util.HexFormat.of().formatHex(sha.digest()), shape.delimiter(), shape.header(),
                    shape.rows(), shape.first());
        }
    }

    private static Shape shape(BufferedReader r) throws IOException {
        char delimiter = delimiter(r);
        long rows = 0;
        try {
            Iterator<CSVRecord> it = format(delimiter).parse(r).iterator(); // closed with r
            if (!it.hasNext()) {
                throw new FileRejectedException("the file has no header row: the first line must name the "
                        + "columns (id, and any of " + String.join(", ", CloseApi.UPDATE_FIELDS) + ")");
            }
            List<String> header = it.next().toList();
            List<String> first = null;
            try {
                while (it.hasNext()) {
                    CSVRecord rec = it.next();
                    rows++;
                    if (first == null) {
                        first = rec.toList();
                    }
                    if (rec.size() != header.size()) {
                        throw new FileRejectedException("line " + (rows + 1) + " has " + rec.size() + " cell"
                                + (rec.size() == 1 ? "" : "s") + " but the header has " + header.size()
                                + " columns (a stray or missing '" + delimiter + "'?): fix it and drop the file again");
                    }
                }
            } catch (java.io.UncheckedIOException | IllegalStateException e) {
                throw rejection(e, rows + 2);
            }
            return new Shape(null, delimiter, header, rows, first == null ? List.of() : first);
        } catch (java.io.UncheckedIOException | IllegalStateException e) {
            throw rejection(e, 1);
        }
    }

    private static void drain(Reader r) throws IOException {
        try {
            r.transferTo(Writer.nullWriter());
        } catch (NotUtf8 e) {
            throw new FileRejectedException(e.getMessage());
        }
    }

    /** Bad bytes the decoder found travel inside the parser's exception; anything else is not valid CSV. */
    private static FileRejectedException rejection(RuntimeException e, long line) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof NotUtf8 bad) {
                return new FileRejectedException(bad.getMessage());
            }
        }
        return new FileRejectedException(notCsv(e, line));
    }

    /** The text of a byte stream that must be UTF-8: bad bytes stop the read, naming where they are. */
    private static final class Utf8 extends Reader {
        private final InputStream in;
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private final ByteBuffer bytesIn = ByteBuffer.allocate(1 << 16).flip();
        private final CharBuffer chars = CharBuffer.allocate(1 << 16).flip();
        private long bytes; // read from the stream
        private long decoded; // decoded into text
        private boolean eof;
        private boolean done;

        Utf8(InputStream in) {
            this.in = in;
        }

        @Override
        public int read(char[] buf, int off, int len) throws IOException {
            while (!chars.hasRemaining()) {
                if (!decodeMore()) {
                    return -1;
                }
            }
            int n = Math.min(len, chars.remaining());
            chars.get(buf, off, n);
            return n;
        }

        private boolean decodeMore() throws IOException {
            chars.clear();
            try {
                while (chars.position() == 0 && !done) {
                    int before = bytesIn.position();
                    var result = decoder.decode(bytesIn, chars, eof);
                    decoded += bytesIn.position() - before;
                    if (result.isError()) {
                        throw new NotUtf8(eof && result.length() == bytesIn.remaining()
                                ? "the file is not UTF-8 text (it ends inside a character): save it as 'CSV UTF-8'"
                                : "the file is not UTF-8 text (bad bytes near byte " + decoded + "): save it as 'CSV UTF-8'");
                    }
                    if (result.isUnderflow()) {
                        if (eof) {
                            decoder.flush(chars);
                            done = true;
                        } else {
                            fill();
                        }
                    }
                }
            } finally {
                chars.flip();
            }
            return chars.hasRemaining();
        }

        private void fill() throws IOException {
            bytesIn.compact();
            int n = in.read(bytesIn.array(), bytesIn.position(), bytesIn.remaining());
            if (n < 0) {
                eof = true;
            } else {
                bytesIn.position(bytesIn.position() + n);
                bytes += n;
            }
            bytesIn.flip();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** Bad bytes: an IOException, so that it passes through the CSV parser (which wraps it) to {@link #rejection}. */
    private static final class NotUtf8 extends IOException {
        NotUtf8(String message) {
            super(message, null);
        }
    }

    /** A parse failure as a person reads it: the line, and what is wrong, never the library's wording alone. */
    static String notCsv(Throwable e, long line) {
        String m = String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
        java.util.regex.Matcher at = java.util.regex.Pattern.compile("(?:startline|line:?)\\s*([\\d,]+)").matcher(m);
        String where = at.find() ? "line " + at.group(1).replace(",", "") : "line " + line;
        if (m.contains("EOF reached before encapsulated token finished")) {
            return "not valid CSV: a quoted cell that starts on " + where + " is never closed (a '\"' is missing); "
                    + "nothing was sent";
        }
        if (m.contains("nvalid char")) {
            return "not valid CSV on " + where + ": text follows a closing quote (a '\"' inside a quoted cell is "
                    + "written twice: \"\"); nothing was sent";
        }
        return "not valid CSV on " + where + "; nothing was sent";
    }

    /**
     * Names trimmed and lower-cased; missing, repeated or empty names reject the file, and so do other columns
     * as {@code extras} says (a near-miss of a known one always).
     */
    static List<String> checkHeader(List<String> raw, ExtraColumns extras) {
        List<String> header = raw.stream().map(h -> stripBom(h).trim().toLowerCase(Locale.ROOT)).toList();
        if (header.stream().allMatch(String::isEmpty)) {
            throw new FileRejectedException("the header row is empty: the first line must name the columns "
                    + "(id, and any of " + String.join(", ", CloseApi.UPDATE_FIELDS) + ")");
        }
        Set<String> seen = new LinkedHashSet<>();
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) {
            String h = header.get(i);
            if (h.isEmpty()) {
                throw new FileRejectedException("column " + (i + 1) + " of the header has no name");
            }
            if (!seen.add(h.equals("task_id") ? "id" : h)) {
                throw new FileRejectedException("column '" + h + "' appears twice in the header"
                        + (h.equals("task_id") || h.equals("id") ? " (id and task_id are the same column)" : ""));
            }
            if (!isKnown(h)) {
                unknown.add(stripBom(raw.get(i)).trim());
            }
        }
        if (isPlan(header)) {
            throw new FileRejectedException("this is a plan (it has _before and _after columns): drop it into "
                    + "bulk.approved, or run --apply with it, to apply it");
        }
        extras.check(unknown, KNOWN, "id (or task_id), assigned_to, date, is_complete");
        if (!seen.contains("id")) {
            throw new FileRejectedException("no id column: the header needs 'id' (or 'task_id')");
        }
        if (header.stream().noneMatch(CloseApi.UPDATE_FIELDS::contains)) {
            throw new FileRejectedException("only an id column: add at least one of "
                    + String.join(", ", CloseApi.UPDATE_FIELDS) + " to say what to change");
        }
        return header;
    }

    static boolean isPlan(List<String> header) {
        return header.stream().anyMatch(h -> h.endsWith("_before") || h.endsWith("_after"));
    }

    /**
     * A plan's header: id, then {@code <field>_before,<field>_after} for each field it changes; line, error
     * and planned_at are read or ignored; other columns are as {@code extras} says (carried, or refused).
     */
    static List<String> checkPlanHeader(List<String> raw, ExtraColumns extras) {
        List<String> header = raw.stream().map(h -> stripBom(h).trim().toLowerCase(Locale.ROOT)).toList();
        if (!isPlan(header)) {
            throw new FileRejectedException("this is not a plan: a plan is the .plan.csv file a dry run writes "
                    + "(line, id, <field>_before, <field>_after); drop a CSV of changes into bulk.inbox instead");
        }
        Set<String> seen = new LinkedHashSet<>();
        List<String> unknown = new ArrayList<>();
        for (String h : header) {
            if (!seen.add(h)) {
                throw new FileRejectedException("column '" + h + "' appears twice in the plan's header");
            }
            if (!isKnownInPlan(h)) {
                unknown.add(h);
            }
        }
        extras.check(unknown, PLAN_KNOWN, "line, id, <field>_before and <field>_after for assigned_to, date, "
                + "is_complete, and planned_at");
        if (!seen.contains("id")) {
            throw new FileRejectedException("the plan has no id column");
        }
        if (!seen.contains("planned_at")) {
            throw new FileRejectedException("the plan has no planned_at column (when its dry run made it): a plan "
                    + "is applied only as its dry run wrote it; make a new preview (a dry run)");
        }
        for (String f : CloseApi.UPDATE_FIELDS) {
            if (seen.contains(f + "_before") != seen.contains(f + "_after")) {
                throw new FileRejectedException("the plan has " + (seen.contains(f + "_after") ? f + "_after but no "
                        + f + "_before" : f + "_before but no " + f + "_after") + ": each field needs both");
            }
        }
        return header;
    }

    /** Columns of this bundle's own reports that an input may carry: read past, never sent. */
    static final List<String> REPORT_COLUMNS = List.of("line", "error");
    /** The columns of a CSV of changes; any other is carried (or refused: ExtraColumns). */
    static final List<String> KNOWN = java.util.stream.Stream.of(List.of("id", "task_id"), CloseApi.UPDATE_FIELDS,
            REPORT_COLUMNS).flatMap(List::stream).toList();
    /** The columns of a plan; any other is carried (or refused: ExtraColumns). */
    static final List<String> PLAN_KNOWN = java.util.stream.Stream.concat(
            java.util.stream.Stream.of("id", "line", "error", "planned_at"),
            CloseApi.UPDATE_FIELDS.stream().flatMap(f -> java.util.stream.Stream.of(f + "_before", f + "_after"))).toList();

    /** A column of a CSV of changes (lower-cased) that the intake reads or reads past. */
    static boolean isKnown(String h) {
        return KNOWN.contains(h);
    }

    /** A column of a plan (lower-cased) that the intake reads or reads past. */
    static boolean isKnownInPlan(String h) {
        return PLAN_KNOWN.contains(h);
    }

    static String stripBom(String s) {
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }
}
