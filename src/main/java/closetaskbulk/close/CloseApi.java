package closetaskbulk.close;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What this bundle knows of Close's task API, in one place (docs/CLOSE-API.md). */
public final class CloseApi {

    /** The list filters a CSV run (bulk.filter.*) or a sweep may add. */
    public static final Set<String> FILTERS = Set.of("assigned_to", "is_complete", "lead_id", "organization_id",
            "_type", "_type__in", "view", "date", "date__lt", "date__lte", "date__gt", "date__gte", "due_date",
            "due_date__lt", "due_date__lte", "due_date__gt", "due_date__gte", "date_created__lt",
            "date_created__lte", "date_created__gt", "date_created__gte", "date_updated__lt", "date_updated__lte",
            "date_updated__gt", "date_updated__gte");

    /** The fields a bulk update may set, in report order. */
    public static final List<String> UPDATE_FIELDS = List.of("assigned_to", "date", "is_complete");

    /** What a read asks for: enough to tell NOT_FOUND and UNCHANGED apart and to fill the undo file. */
    public static final String READ_FIELDS = "id,assigned_to,date,is_complete";

    private CloseApi() {
    }

    /** Close's task types (_type, _type__in), and "all" (every type). */
    public static final Set<String> TASK_TYPES = Set.of("all", "lead", "incoming_email", "email_followup", "missed_call",
            "answered_detached_call", "voicemail", "opportunity_due", "incoming_sms", "outgoing_call");

    public static boolean isFilter(String name) {
        return FILTERS.contains(name);
    }

    /**
     * The filter as sent: without a type filter Close matches only lead tasks, so {@code _type=all} is added
     * unless the filter names a type.
     */
    public static Map<String, String> withType(Map<String, String> filter) {
        Map<String, String> f = new LinkedHashMap<>(filter);
        if (!f.containsKey("_type") && !f.containsKey("_type__in")) {
            f.put("_type", "all");
        }
        return f;
    }

    /** The Basic Authorization header Close expects: the key as user name, no password. */
    public static String basicAuth(String apiKey) {
        return "Basic " + Base64.getEncoder().encodeToString((apiKey + ":").getBytes(StandardCharsets.UTF_8));
    }
}
