package closetaskbulk.intake;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
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

/** What makes a dropped file one the intake can read: UTF-8 throughout, and a header of known columns. */
final class CsvFile {

    private CsvFile() {
    }

    /** The format camel-csv uses by default (CSVFormat.DEFAULT), with the file's delimiter. */
    static CSVFormat format(char delimiter) {
        return CSVFormat.DEFAULT.builder().setDelimiter(delimiter).build();
    }

    /** The file as text, without its byte order mark (Excel's "CSV UTF-8" writes one). */
    static Reader utf8Reader(Path file) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8), 1 << 16);
        r.mark(1);
        if (r.read() != '\uFEFF') {
            r.reset();
        }
        return r;
    }

    /**
     * Comma or semicolon (Excel in European locales): whichever the header line holds more of, outside quotes.
     */
    static char delimiter(Path file) throws IOException {
        try (Reader r = utf8Reader(file)) {
            int commas = 0;
            int semicolons = 0;
            boolean quoted = false;
            for (int c = r.read(), n = 0; c != -1 && n < (1 << 20); c = r.read(), n++) {
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
            return semicolons > commas ? ';' : ',';
        }
    }

    /** What one pass over the whole file found: its header as written, its data rows, its first data row. */
    record Shape(char delimiter, List<String> header, long rows, List<String> first) {
    }

    /**
     * Parses the whole file once before anything is sent: a quote never closed, text after a closing quote,
     * or a row with more or fewer cells than the header rejects the file, naming the line (data lines count
     * from 2, as in the results).
     */
    static Shape shape(Path file) throws IOException {
        char delimiter = delimiter(file);
        long rows = 0;
        try (Reader r = utf8Reader(file); CSVParser p = format(delimiter).parse(r)) {
            Iterator<CSVRecord> it = p.iterator();
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
                throw new FileRejectedException(notCsv(e, rows + 2));
            }
            return new Shape(delimiter, header, rows, first == null ? List.of() : first);
        } catch (java.io.UncheckedIOException | IllegalStateException e) {
            throw new FileRejectedException(notCsv(e, 1));
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

    /** Checks the whole file decodes as UTF-8; returns its SHA-256 (hex), computed on the same pass. */
    static String checkUtf8(Path file) throws IOException {
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        byte[] buf = new byte[1 << 16];
        ByteBuffer in = ByteBuffer.allocate(buf.length + 8);
        CharBuffer out = CharBuffer.allocate(buf.length + 8);
        long offset = 0;
        boolean any = false;
        try (InputStream is = Files.newInputStream(file)) {
            int n;
            while ((n = is.read(buf)) > 0) {
                any = true;
                sha.update(buf, 0, n);
                in.put(buf, 0, n).flip();
                var res = dec.decode(in, out, false);
                if (res.isError()) {
                    throw new FileRejectedException("the file is not UTF-8 text (bad bytes near byte "
                            + (offset + in.position()) + "): save it as 'CSV UTF-8'");
                }
                offset += in.position();
                in.compact();
                out.clear();
            }
            in.flip();
            if (dec.decode(in, out, true).isError() || dec.flush(out).isError()) {
                throw new FileRejectedException("the file is not UTF-8 text (it ends inside a character): "
                        + "save it as 'CSV UTF-8'");
            }
        } catch (CharacterCodingException e) {
            throw new FileRejectedException("the file is not UTF-8 text: save it as 'CSV UTF-8'");
        }
        if (!any) {
            throw new FileRejectedException("the file is empty: it needs a header row (id, and any of "
                    + String.join(", ", CloseApi.UPDATE_FIELDS) + ")");
        }
        return java.util.HexFormat.of().formatHex(sha.digest());
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
