package closetaskbulk.bulk;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;

import closetaskbulk.bulk.Run.Status;

/**
 * The steps of route bulk-update: read the batch's tasks (which exist, which already hold the update, what
 * they held before), write the rest in one PUT, record a result for every row. The read and the write use
 * the same enriched filter, so NOT_FOUND means "no such task, or filtered out".
 */
public class BulkUpdate {

    public static final String RUN = "bulkRun";
    static final String BATCH = "bulkBatch";
    static final String OFFSET = "bulkReadOffset";
    static final String FOUND = "bulkFound";
    static final String SENDING = "bulkSending";
    static final String FAILED = "bulkFailed";
    static final String JOURNALED = "bulkJournaled";
    static final String FIELDS = "id,assigned_to,date,is_complete";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final org.slf4j.Logger PROGRESS = org.slf4j.LoggerFactory.getLogger("closetaskbulk.progress");

    private final int listLimit;
    private final boolean readBeforeWrite;
    private final closetaskbulk.RunState runState;

    public BulkUpdate(int listLimit, boolean readBeforeWrite, closetaskbulk.RunState runState) {
        this.listLimit = listLimit;
        this.readBeforeWrite = readBeforeWrite;
        this.runState = runState;
    }

    private volatile org.apache.camel.ProducerTemplate queue;

    /**
     * Queues the batch on seda:batches as a fresh exchange and counts it, so the run can wait for it. Fresh,
     * because seda would otherwise hand the file's own commit/rollback to the batch: one failed batch would
     * then roll the whole file back behind the intake's back.
     */
    public void submit(Exchange ex) {
        Batch batch = ex.getIn().getBody(Batch.class);
        batch.run().submitted();
        if (queue == null) {
            queue = ex.getContext().createProducerTemplate();
        }
        queue.sendBody("seda:batches?blockWhenFull=true&size=8&waitForTaskToComplete=Never", batch);
    }

    /**
     * After the last batch of a file or sweep is queued: wait until every one is done (they run on
     * close.concurrency threads). After a halt, throws it, so the file stays in the inbox.
     */
    public void awaitBatches(Exchange ex) throws InterruptedException {
        Run run = ex.getProperty(RUN, Run.class);
        while (!run.awaitBatches(200)) {
            if (runState.isHalted()) {
                break;
            }
            run.progress(PROGRESS);
        }
        if (runState.isHalted()) {
            throw new CloseHalt(0, runState.haltReason());
        }
    }

    /** Takes the Batch body into exchange properties: the body is reused for requests. */
    public void start(Exchange ex) {
        Batch batch = ex.getIn().getBody(Batch.class);
        ex.getExchangeExtension().addOnCompletion(new org.apache.camel.support.SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                batch.run().completed();
            }
        });
        ex.setProperty(BATCH, batch);
        ex.setProperty(RUN, batch.run());
        ex.setProperty(OFFSET, 0);
        ex.setProperty(FOUND, new HashMap<String, JsonNode>());
        ex.removeProperty(JOURNALED);
        batch.run().batchSent();
        Journal j = batch.run().journal();
        Journal.Entry e = j == null ? null : j.entry(batch.number());
        if (e != null) { // read before a crash: its before-values stand; do not read again
            ex.setProperty(FOUND, new HashMap<>(e.found()));
            ex.setProperty(OFFSET, batch.size());
            ex.setProperty(JOURNALED, e.ok() ? "ok" : "read");
        }
    }

    public boolean readBeforeWrite() {
        return readBeforeWrite;
    }

    /** True while the batch has ids not yet read (reads are chunked to close.list-limit ids). */
    public boolean moreToRead(Exchange ex) {
        Batch b = ex.getProperty(BATCH, Batch.class);
        return !failed(ex) && ex.getProperty(OFFSET, 0, Integer.class) < b.size();
    }

    /** The list call for the next chunk: POST with _params (the route sets x-http-method-override: GET). */
    public void prepareRead(Exchange ex) throws JsonProcessingException {
        Batch b = ex.getProperty(BATCH, Batch.class);
        int from = ex.getProperty(OFFSET, 0, Integer.class);
        int to = Math.min(b.size(), from + listLimit);
        Map<String, Object> params = filter(b.run(), b.ids().subList(from, to));
        params.put("_fields", FIELDS);
        params.put("_limit", to - from);
        ex.setProperty(OFFSET, to);
        ex.setProperty(CloseCall.GROUP, "read");
        ex.setProperty(CloseCall.METHOD, "POST");
        ex.setProperty(CloseCall.REQUEST, JSON.writeValueAsString(Map.of("_params", params)));
    }

    @SuppressWarnings("unchecked")
    public void afterRead(Exchange ex) throws JsonProcessingException {
        if (failed(ex)) {
            return;
        }
        Map<String, JsonNode> found = ex.getProperty(FOUND, Map.class);
        JsonNode answer = JSON.readTree(ex.getIn().getBody(String.class));
        for (JsonNode t : answer.path("data")) {
            found.put(t.path("id").asText(), t);
        }
    }

    /** Sorts the rows: NOT_FOUND, UNCHANGED, DRY_RUN are decided here; the rest go into the PUT body. */
    @SuppressWarnings("unchecked")
    public boolean prepareWrite(Exchange ex) throws JsonProcessingException {
        if (failed(ex)) {
            return false;
        }
        Batch b = ex.getProperty(BATCH, Batch.class);
        Run run = b.run();
        Map<String, JsonNode> found = ex.getProperty(FOUND, Map.class);
        List<Integer> sending = new ArrayList<>();
        for (int i = 0; i < b.size(); i++) {
            String id = b.ids().get(i);
            JsonNode task = found.get(id);
            if (readBeforeWrite && task == null) {
                run.result(b.line(i), Status.NOT_FOUND, 0, notFound(run));
            } else if (task != null && holds(task, b.update())) {
                run.result(b.line(i), Status.UNCHANGED, 0, "already holds " + b.update().fields());
            } else if (run.dryRun()) {
                run.result(b.line(i), Status.DRY_RUN, 0, "would set " + b.update().fields());
            } else {
                sending.add(i);
            }
        }
        ex.setProperty(SENDING, sending);
        if (sending.isEmpty()) {
            return false;
        }
        String journaled = ex.getProperty(JOURNALED, String.class);
        if ("ok".equals(journaled)) { // Close confirmed it before a restart: report it, send nothing
            afterWrite(ex);
            return false;
        }
        Journal j = run.journal();
        if (j != null && journaled == null) {
            j.read(b.number(), found); // durable before the write goes out
        }
        List<String> ids = new ArrayList<>(sending.size());
        sending.forEach(i -> ids.add(b.ids().get(i)));
        Map<String, Object> body = new LinkedHashMap<>(b.update().fields());
        body.put("_params", filter(run, ids));
        ex.setProperty(CloseCall.GROUP, "write");
        ex.setProperty(CloseCall.METHOD, "PUT");
        ex.setProperty(CloseCall.REQUEST, JSON.writeValueAsString(body));
        return true;
    }

    /** Close said ok: the rows sent are UPDATED; their before-values go to the undo file. */
    @SuppressWarnings("unchecked")
    public void afterWrite(Exchange ex) {
        if (failed(ex)) {
            return;
        }
        Batch b = ex.getProperty(BATCH, Batch.class);
        Map<String, JsonNode> found = ex.getProperty(FOUND, Map.class);
        Journal j = b.run().journal();
        if (j != null && !"ok".equals(ex.getProperty(JOURNALED, String.class))) {
            j.ok(b.number());
        }
        List<Integer> sent = (List<Integer>) ex.getProperty(SENDING, List.class);
        for (int i : sent) { // results first: a failing undo write must not leave rows without them
            b.run().result(b.line(i), Status.UPDATED, 200, null);
        }
        for (int i : sent) {
            String id = b.ids().get(i);
            JsonNode before = found.get(id);
            if (before != null) {
                b.run().undo(id, b.update(), beforeValues(before));
            }
        }
    }

    /** From the error routes: every row of the batch without a result yet is FAILED, with the reason. */
    public void failBatch(Exchange ex) {
        ex.setProperty(FAILED, true);
        Batch b = ex.getProperty(BATCH, Batch.class);
        Throwable e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        int status = e instanceof CloseException ce ? ce.getStatusCode() : 0;
        String msg = e instanceof CloseException ? e.getMessage()
                : "no answer from Close after retries: " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : " " + e.getMessage());
        for (int i = 0; i < b.size(); i++) {
            b.run().result(b.line(i), Status.FAILED, status, msg);
        }
    }

    private static boolean failed(Exchange ex) {
        return ex.getProperty(FAILED, false, Boolean.class);
    }

    /** The batch's filter: the run's filters, the ids, and _type=all unless a type filter is set. */
    static Map<String, Object> filter(Run run, List<String> ids) {
        Map<String, Object> params = new LinkedHashMap<>(run.filter());
        if (!params.containsKey("_type") && !params.containsKey("_type__in")) {
            params.put("_type", "all");
        }
        params.put("id__in", String.join(",", ids));
        return params;
    }

    static String notFound(Run run) {
        String f = run.filterText();
        return f.isEmpty() ? "no task with this id is visible to this API key"
                : "no such task, or filtered out by " + f;
    }

    static boolean holds(JsonNode task, Update u) {
        if (u.assignedTo() != null && !u.assignedTo().equals(task.path("assigned_to").asText(null))) {
            return false;
        }
        if (u.isComplete() != null && u.isComplete() != task.path("is_complete").asBoolean()) {
            return false;
        }
        return u.date() == null || sameDate(u.date(), task.path("date").asText(null));
    }

    /** Date-only values equal as dates, date-times as instants; a date never equals a date-time. */
    public static boolean sameDate(String a, String b) {
        if (a == null || b == null) {
            return a == b;
        }
        try {
            return LocalDate.parse(a).equals(LocalDate.parse(b));
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(a).toInstant().equals(OffsetDateTime.parse(b).toInstant());
            } catch (DateTimeParseException e2) {
                return false;
            }
        }
    }

    static Map<String, String> beforeValues(JsonNode t) {
        Map<String, String> m = new HashMap<>();
        m.put("assigned_to", t.path("assigned_to").asText(null));
        m.put("date", t.path("date").asText(null));
        m.put("is_complete", t.has("is_complete") ? String.valueOf(t.get("is_complete").asBoolean()) : null);
        return m;
    }
}
