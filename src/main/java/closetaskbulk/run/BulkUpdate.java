package closetaskbulk.run;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;


/**
 * The steps of route bulk-update that decide, for one batch (the body): what the journal already knows of
 * it, which rows are NOT_FOUND, UNCHANGED or DRY_RUN after the read, and what a confirmed write means.
 */
public class BulkUpdate {

    /** Header of step classify: the batch's way after its read. */
    public static final String WAY = "batchWay";
    static final String WRITE = "write";
    static final String CONFIRMED_BEFORE = "confirmed-before";
    static final String NOTHING_TO_WRITE = "nothing-to-write";

    private final int maxFailedBatches;

    /** {@code maxFailedBatches}: close.retry.max-failed-batches. */
    public BulkUpdate(int maxFailedBatches) {
        this.maxFailedBatches = maxFailedBatches;
    }

    /**
     * Filter close-unavailable: close.retry.max-failed-batches batches of this run in a row failed after their
     * retries (5xx, no answer), so Close is taken as unavailable and this batch is not sent.
     */
    public boolean closeUnavailable(Batch b) {
        return b.run().calls().failedInARow() >= maxFailedBatches;
    }

    /** Step batch-not-sent: the batch's rows are FAILED, nothing sent; they are in the retry file. */
    public void notSent(Batch b) {
        b.fail(0, "Close unavailable: " + b.run().calls().failedInARow() + " batches in a row failed after their retries "
                + "(close.retry.max-failed-batches=" + maxFailedBatches + "), so this one was not sent; drop the "
                + "retry file again once Close answers");
    }

    /** Step batch-start: a batch read (or confirmed) before a crash is not read again. */
    public Batch start(Batch b) {
        b.run().calls().batchSent();
        Journal j = b.run().journal();
        Journal.Entry e = j == null ? null : j.entry(b.number());
        if (e != null) {
            b.journaled(e.found(), e.ok());
        }
        return b;
    }

    /**
     * Step classify, header {@value #WAY}: each row that needs no write gets its result here (NOT_FOUND,
     * UNCHANGED, CHANGED_SINCE_PLAN, DRY_RUN); the batch's way is {@code write} (the rest is written; its read
     * is journaled first), {@code confirmed-before} (Close confirmed the write before a restart: nothing is
     * sent), or {@code nothing-to-write} (every row has its result, or the batch failed).
     */
    public String classify(Batch b) {
        if (b.isFailed()) {
            return NOTHING_TO_WRITE;
        }
        Run run = b.run();
        Map<String, JsonNode> found = b.found();
        List<Integer> sending = new ArrayList<>();
        for (int i = 0; i < b.size(); i++) {
            JsonNode task = found.get(b.ids().get(i));
            String changed = b.expected(i) == null ? null : changedSincePlan(task, b.expected(i));
            if (run.readBeforeWrite() && task == null) {
                run.results().result(b.line(i), Status.NOT_FOUND, 0, notFound(run));
            } else if (task != null && holds(task, b.update())) {
                run.results().result(b.line(i), Status.UNCHANGED, 0, "already holds " + b.update().fields());
            } else if (changed != null) {
                run.results().result(b.line(i), Status.CHANGED_SINCE_PLAN, 0, changed
                        + ": not written; make a new plan (a dry run) to include it");
            } else if (run.dryRun()) {
                run.results().result(b.line(i), Status.DRY_RUN, 0, "would set " + b.update().fields());
                if (task != null) {
                    run.planned(b.line(i), b.ids().get(i), b.update(), beforeValues(task), b.carried(i));
                }
            } else {
                sending.add(i);
            }
        }
        b.sending(sending);
        if (sending.isEmpty()) {
            return NOTHING_TO_WRITE;
        }
        if (b.confirmedBefore()) {
            return CONFIRMED_BEFORE;
        }
        Journal j = run.journal();
        if (j != null && !b.readBefore()) {
            j.read(b.number(), found); // durable before the write goes out
        }
        return WRITE;
    }

    /** Step batch-confirmed-before: Close confirmed this write before a restart; its rows are UPDATED, nothing sent. */
    public void confirmedBefore(Batch b) {
        record(b);
        b.written();
    }

    /** Step batch-confirmed: Close said ok; the rows sent are UPDATED, their before-values go to the undo file. */
    public Batch confirmed(Batch b) {
        if (b.isFailed() || !b.isWriting()) {
            return b;
        }
        Journal j = b.run().journal();
        if (j != null) {
            j.ok(b.number());
        }
        record(b);
        b.written();
        return b;
    }

    private static void record(Batch b) {
        for (int i : b.sending()) { // results first: a failing undo write must not leave rows without them
            b.run().results().result(b.line(i), Status.UPDATED, 200, null);
        }
        for (int i : b.sending()) {
            String id = b.ids().get(i);
            JsonNode before = b.found().get(id);
            if (before != null) {
                b.run().undo(id, b.update(), beforeValues(before));
            }
        }
    }

    /**
     * Null when the task still holds what the plan saw before (per field the plan changes; "" = empty), else
     * what changed, for a person.
     */
    static String changedSincePlan(JsonNode task, Map<String, String> expected) {
        if (task == null) {
            return "the task is gone or filtered out";
        }
        Map<String, String> now = beforeValues(task);
        List<String> changed = new ArrayList<>();
        expected.forEach((field, was) -> {
            String is = now.get(field) == null ? "" : now.get(field);
            boolean same = switch (field) {
                case "date" -> was.isEmpty() ? is.isEmpty() : sameDate(was, is);
                case "is_complete" -> was.isEmpty() ? is.isEmpty() : Boolean.valueOf(is).equals(RowCheck.parseBool(was));
                default -> was.equals(is);
            };
            if (!same) {
                changed.add(field + " is now " + (is.isEmpty() ? "empty" : "'" + is + "'") + " (the plan saw "
                        + (was.isEmpty() ? "it empty" : "'" + was + "'") + ")");
            }
        });
        return changed.isEmpty() ? null : String.join("; ", changed);
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
