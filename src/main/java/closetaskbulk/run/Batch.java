package closetaskbulk.run;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import closetaskbulk.close.CloseApi;

/**
 * Up to close.batch-size rows of one run that share one update: the body of route bulk-update. It is read
 * in chunks of close.list-limit ids, then written with one PUT for the rows that need it. The read and the
 * write use the same enriched filter, so NOT_FOUND means "no such task, or filtered out".
 * {@code lines[i]} is the input line of {@code ids[i]}.
 */
public final class Batch extends RunCall {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Update update;
    private final int number;
    private final List<String> ids = new ArrayList<>();
    private final List<Integer> lines = new ArrayList<>();
    private List<Map<String, String>> expected; // a plan's rows: what each must still hold; else null
    private List<List<String>> carried; // a dry run's rows: their carried cells, for the plan; else null

    private int listLimit = 100;
    private int readOffset;
    private int readTo;
    private int readSkip; // tasks of the current chunk already read, when Close answered a page of it (has_more)
    private Map<String, JsonNode> found = new HashMap<>();
    private List<Integer> sending = List.of();
    private boolean writing;
    private boolean confirmedBefore;
    private boolean readBefore;
    private boolean failed;

    public Batch(Run run, Update update, int number) {
        super(run);
        this.update = update;
        this.number = number;
    }

    public void add(int line, String id) {
        add(line, id, null, null);
    }

    /**
     * A row, with what its fields must still hold to be written (a plan's _before values), or null, and its
     * carried cells (a dry run's, for its plan row), or null.
     */
    public void add(int line, String id, Map<String, String> mustHold, List<String> carriedCells) {
        expected = withRow(expected, mustHold);
        carried = withRow(carried, carriedCells);
        ids.add(id);
        lines.add(line);
    }

    /** Adds a row's value to a per-row list kept only once some row has one (before the row is counted). */
    private <T> List<T> withRow(List<T> list, T value) {
        if (value != null && list == null) {
            list = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                list.add(null);
            }
        }
        if (list != null) {
            list.add(value);
        }
        return list;
    }

    /** What row i must still hold to be written (a plan), or null. */
    Map<String, String> expected(int i) {
        return expected == null ? null : expected.get(i);
    }

    /** Row i's carried cells (a dry run's), or null. */
    List<String> carried(int i) {
        return carried == null ? null : carried.get(i);
    }

    public Update update() {
        return update;
    }

    public int number() {
        return number;
    }

    public List<String> ids() {
        return ids;
    }

    public int line(int i) {
        return lines.get(i);
    }

    public int size() {
        return ids.size();
    }

    /** Reads are chunked to this many ids (close.list-limit). */
    void listLimit(int n) {
        this.listLimit = n;
    }

    /** What the journal kept of this batch from a run cut short: its read stands; its write if confirmed. */
    void journaled(Map<String, JsonNode> read, boolean confirmed) {
        found = new HashMap<>(read);
        readOffset = ids.size();
        readBefore = true;
        confirmedBefore = confirmed;
    }

    /** Route bulk-update: more ids to read (false after a failure, or when read-before-write is off). */
    public boolean isMoreToRead() {
        return !failed && run.readBeforeWrite() && readOffset < ids.size();
    }

    /** Route bulk-update: rows left to write after {@link BulkUpdate#classify}. */
    public boolean isWriting() {
        return writing && !failed;
    }

    public boolean isFailed() {
        return failed;
    }

    boolean readBefore() {
        return readBefore;
    }

    boolean confirmedBefore() {
        return confirmedBefore;
    }

    Map<String, JsonNode> found() {
        return found;
    }

    List<Integer> sending() {
        return sending;
    }

    void sending(List<Integer> rows) {
        this.sending = rows;
        this.writing = !rows.isEmpty();
    }

    void written() {
        this.writing = false;
    }

    @Override
    public String group() {
        return writing ? "write" : "read";
    }

    @Override
    public String method() {
        return writing ? "PUT" : "POST";
    }

    /** The next read (a chunk of ids), or the write of the rows left. */
    @Override
    public String request() {
        try {
            if (writing) {
                List<String> out = new ArrayList<>(sending.size());
                sending.forEach(i -> out.add(ids.get(i)));
                Map<String, Object> body = new LinkedHashMap<>(update.fields());
                body.put("_params", filter(out));
                return JSON.writeValueAsString(body);
            }
            readTo = Math.min(ids.size(), readOffset + listLimit);
            Map<String, Object> params = filter(ids.subList(readOffset, readTo));
            params.put("_fields", CloseApi.READ_FIELDS);
            params.put("_limit", readTo - readOffset);
            if (readSkip > 0) {
                params.put("_skip", readSkip);
            }
            return JSON.writeValueAsString(Map.of("_params", params));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void answer(JsonNode body) {
        run.calls().closeFailed(false);
        if (writing) {
            return; // Close answers a bulk update with {"ok": true} and nothing else
        }
        for (JsonNode t : body.path("data")) {
            found.put(t.path("id").asText(), t);
        }
        int page = body.path("data").size();
        if (body.path("has_more").asBoolean() && page > 0 && readSkip + page < readTo - readOffset) {
            readSkip += page; // Close sent a page of the chunk: read on, never NOT_FOUND
            return;
        }
        readSkip = 0;
        readOffset = readTo;
    }

    /** Every row without a result yet is FAILED, with the reason. */
    @Override
    public void fail(int status, String message) {
        fail(status, message, false);
    }

    @Override
    public void fail(int status, String message, boolean unanswered) {
        failed = true;
        if (unanswered) { // a batch not sent (Close unavailable) neither counts nor resets the count
            run.calls().closeFailed(true);
        }
        String why = message;
        if (writing && unanswered) { // no answer, or a 5xx: Close may have applied it
            why = message + "; Close may have applied it: the values from before are in the undo file";
            for (int i : sending) {
                JsonNode before = found.get(ids.get(i));
                if (before != null) {
                    run.undo(ids.get(i), update, BulkUpdate.beforeValues(before));
                }
            }
        }
        for (int i = 0; i < ids.size(); i++) {
            run.results().result(lines.get(i), Status.FAILED, status, why);
        }
    }

    /** The batch's filter: the run's filters (with _type), and the ids. */
    private Map<String, Object> filter(List<String> batchIds) {
        Map<String, Object> params = new LinkedHashMap<>(CloseApi.withType(run.filter()));
        params.put("id__in", String.join(",", batchIds));
        return params;
    }

    @Override
    public String toString() {
        return run.name() + " batch " + number + " (" + size() + " ids, " + update + ")";
    }
}
