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

    static Reader utf8Reader(Path file) throws IOException {
        return new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8), 1 << 16);
    }

    /**
     * Checks the whole file decodes as UTF-8; returns its SHA-256 (hex) and its number of lines, counted on
     * the same pass (for progress: a quoted line break counts as a line, so it is an estimate).
     */
    static String[] checkUtf8(Path file) throws IOException {
        long lines = 0;
        byte last = '\n';
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
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        lines++;
                    }
                }
                last = buf[n - 1];
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
        return new String[] {java.util.HexFormat.of().formatHex(sha.digest()), String.valueOf(lines + (last == '\n' ? 0 : 1))};
    }

    static List<String> readHeader(Path file) throws IOException {
        return readHeader(file, ',');
    }

    static List<String> readHeader(Path file, char delimiter) throws IOException {
        try (Reader r = utf8Reader(file); CSVParser p = format(delimiter).parse(r)) {
            Iterator<CSVRecord> it = p.iterator();
            if (!it.hasNext()) {
                throw new FileRejectedException("the file has no header row: the first line must name the "
                        + "columns (id, and any of " + String.join(", ", CloseApi.UPDATE_FIELDS) + ")");
            }
            return it.next().toList();
        } catch (java.io.UncheckedIOException | IllegalStateException e) {
            throw new FileRejectedException("the header row is not valid CSV: " + e.getMessage());
        }
    }

    /** Names trimmed and lower-cased; unknown, missing, repeated or empty names reject the file. */
    static List<String> checkHeader(List<String> raw) {
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
            if (!h.equals("id") && !h.equals("task_id") && !CloseApi.UPDATE_FIELDS.contains(h)) {
                unknown.add(raw.get(i).trim());
            }
        }
        if (!unknown.isEmpty()) {
            throw new FileRejectedException("unknown column" + (unknown.size() > 1 ? "s " : " ") + "'"
                    + String.join("', '", unknown) + "': the columns are id (or task_id), assigned_to, date, "
                    + "is_complete");
        }
        if (!seen.contains("id")) {
            throw new FileRejectedException("no id column: the header needs 'id' (or 'task_id')");
        }
        if (header.size() == 1) {
            throw new FileRejectedException("only an id column: add at least one of "
                    + String.join(", ", CloseApi.UPDATE_FIELDS) + " to say what to change");
        }
        return header;
    }

    static String stripBom(String s) {
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }
}
