package closetaskbulk.emulator;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Close's tasks, in memory, with Close's list-filter and bulk-update semantics
 * (see docs/CLOSE-API.md). Thread-safe by synchronizing every public method.
 */
public class TaskStore {

    static final Set<String> DATE_FIELDS = Set.of("date", "due_date", "date_created", "date_updated");
    static final Set<String> UPDATABLE = Set.of("assigned_to", "date", "is_complete");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TreeMap<String, ObjectNode> tasks = new TreeMap<>();
    private final Set<String> users = new LinkedHashSet<>();
    private final Map<String, String> emails = new LinkedHashMap<>(); // user id -> e-mail
    private String organizationId = "orga_emulator";

    /** Loads {"organization_id", "users": [...], "tasks": [...]} from a JSON fixture. */
    public synchronized void load(InputStream fixture) throws IOException {
        JsonNode root = JSON.readTree(fixture);
        if (root.hasNonNull("organization_id")) {
            organizationId = root.get("organization_id").asText();
        }
        root.path("users").forEach(u -> { // "user_…", or {"id", "email"}
            if (u.isObject()) {
                addUser(u.path("id").asText(), u.path("email").asText(null));
            } else {
                users.add(u.asText());
            }
        });
        root.path("tasks").forEach(t -> put((ObjectNode) t));
    }

    public synchronized void loadClasspathSeed() {
        try (InputStream in = TaskStore.class.getResourceAsStream("/emulator/seed-tasks.json")) {
            load(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the emulator seed", e);
        }
    }

    public synchronized void addUser(String userId) {
        users.add(userId);
    }

    /** A user with an e-mail: GET /user/ lists it. */
    public synchronized void addUser(String userId, String email) {
        users.add(userId);
        if (email != null) {
            emails.put(userId, email);
        }
    }

    /** GET /user/: the organization's users (id, email), ordered as added, from skip, at most limit. */
    public synchronized List<ObjectNode> userPage(int skip, int limit) {
        List<ObjectNode> page = new ArrayList<>();
        int i = 0;
        for (String id : users) {
            if (i++ < skip) {
                continue;
            }
            if (page.size() == limit) {
                break;
            }
            ObjectNode u = JSON.createObjectNode();
            u.put("id", id);
            u.put("email", emails.getOrDefault(id, id.toLowerCase(java.util.Locale.ROOT) + "@users.emulator.invalid"));
            u.put("organization_id", organizationId);
            page.add(u);
        }
        return page;
    }

    public synchronized Set<String> users() {
        return new LinkedHashSet<>(users);
    }

    /** Adds or replaces a task; fills the fields Close always has. */
    public synchronized void put(ObjectNode task) {
        String id = task.path("id").asText(null);
        if (id == null) {
            throw new IllegalArgumentException("task without id");
        }
        ObjectNode t = task.deepCopy();
        if (!t.has("_type")) {
            t.put("_type", id.startsWith("task_") ? "lead" : "email_followup");
        }
        if (!t.has("organization_id")) {
            t.put("organization_id", organizationId);
        }
        if (!t.has("is_complete")) {
            t.put("is_complete", false);
        }
        if (!t.has("date_created")) {
            t.put("date_created", "2026-01-01T09:00:00.000000+00:00");
        }
        if (!t.has("date_updated")) {
            t.set("date_updated", t.get("date_created"));
        }
        if (!t.has("date")) {
            t.putNull("date");
        }
        t.set("due_date", t.get("date"));
        t.put("is_dateless", t.get("date").isNull());
        if (t.hasNonNull("assigned_to")) {
            users.add(t.get("assigned_to").asText());
        }
        tasks.put(id, t);
    }

    public synchronized void clear() {
        tasks.clear();
    }

    public synchronized int size() {
        return tasks.size();
    }

    public synchronized ObjectNode get(String id) {
        ObjectNode t = tasks.get(id);
        return t == null ? null : t.deepCopy();
    }

    public synchronized boolean delete(String id) {
        return tasks.remove(id) != null;
    }

    /** A deep copy of every task, by id. */
    public synchronized Map<String, ObjectNode> snapshot() {
        Map<String, ObjectNode> copy = new LinkedHashMap<>();
        tasks.forEach((id, t) -> copy.put(id, t.deepCopy()));
        return copy;
    }

    /** Every task matching the filter, in the requested order (default: date_created, then id). */
    public synchronized List<ObjectNode> find(Map<String, String> params, double tzOffsetHours) {
        Query q = Query.parse(params, tzOffsetHours);
        List<ObjectNode> found = new ArrayList<>();
        Iterable<ObjectNode> candidates = tasks.values();
        if (params.containsKey("id__in") || params.containsKey("id")) { // look ids up instead of scanning
            List<ObjectNode> byId = new ArrayList<>();
            String ids = params.containsKey("id__in") ? params.get("id__in") : params.get("id");
            for (String id : new LinkedHashSet<>(List.of(ids.split(",")))) {
                ObjectNode t = tasks.get(id);
                if (t != null) {
                    byId.add(t);
                }
            }
            candidates = byId;
        }
        for (ObjectNode t : candidates) {
            if (q.matches(t)) {
                found.add(t);
            }
        }
        found.sort(q.order());
        return found;
    }

    /**
     * Applies a bulk update; returns the number of tasks changed. Throws {@link CloseError} (400) for a bad
     * field, an empty filter or a match of {@code bulkLimit} or more tasks, changing nothing.
     */
    public synchronized int bulkUpdate(Map<String, String> params, JsonNode body, double tz, int bulkLimit) {
        if (Query.selectors(params).isEmpty()) {
            throw CloseError.badRequest("A bulk update needs a filter; an empty filter would match every task.");
        }
        Map<String, JsonNode> update = validateUpdate(body);
        List<ObjectNode> matched = find(params, tz);
        if (matched.size() >= bulkLimit) {
            throw CloseError.badRequest("Bulk actions are limited to fewer than " + bulkLimit
                    + " objects; this filter matches " + matched.size() + ".");
        }
        for (ObjectNode t : matched) {
            apply(t, update);
        }
        return matched.size();
    }

    public synchronized ObjectNode updateOne(String id, JsonNode body) {
        ObjectNode t = tasks.get(id);
        if (t == null) {
            return null;
        }
        apply(t, validateUpdate(body));
        return t.deepCopy();
    }

    private void apply(ObjectNode t, Map<String, JsonNode> update) {
        update.forEach(t::set);
        if (update.containsKey("date")) {
            t.set("due_date", update.get("date"));
            t.put("is_dateless", update.get("date").isNull());
        }
        t.put("date_updated", OffsetDateTime.now(ZoneOffset.UTC).toString());
    }

    private Map<String, JsonNode> validateUpdate(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw CloseError.badRequest("The request body must be a JSON object.");
        }
        Map<String, String> fieldErrors = new TreeMap<>();
        Map<String, JsonNode> update = new LinkedHashMap<>();
        body.fields().forEachRemaining(e -> {
            String f = e.getKey();
            JsonNode v = e.getValue();
            if (f.equals("_params")) {
                return;
            }
            if (!UPDATABLE.contains(f)) {
                fieldErrors.put(f, "This field cannot be updated in bulk.");
            } else if (f.equals("is_complete") && !v.isBoolean()) {
                fieldErrors.put(f, "Must be a boolean.");
            } else if (f.equals("date") && !v.isNull() && (!v.isTextual() || !isDateOrDateTime(v.asText()))) {
                fieldErrors.put(f, "Not a valid date or datetime.");
            } else if (f.equals("assigned_to") && (!v.isTextual() || !users.contains(v.asText()))) {
                fieldErrors.put(f, "Object does not exist.");
            } else {
                update.put(f, v);
            }
        });
        if (!fieldErrors.isEmpty()) {
            throw CloseError.fieldErrors(fieldErrors);
        }
        if (update.isEmpty()) {
            throw CloseError.badRequest("Nothing to update.");
        }
        return update;
    }

    static boolean isDateOrDateTime(String s) {
        try {
            LocalDate.parse(s);
            return true;
        } catch (DateTimeParseException e) {
            try {
                OffsetDateTime.parse(s);
                return true;
            } catch (DateTimeParseException e2) {
                return false;
            }
        }
    }

    /** A parsed list filter. */
    record Query(List<java.util.function.Predicate<ObjectNode>> tests, Comparator<ObjectNode> order) {

        static Map<String, String> selectors(Map<String, String> params) {
            Map<String, String> s = new TreeMap<>(params);
            s.keySet().removeIf(k -> k.startsWith("_") || k.equals("format"));
            return s;
        }

        static Query parse(Map<String, String> params, double tz) {
            List<java.util.function.Predicate<ObjectNode>> tests = new ArrayList<>();
            ZoneOffset zone = ZoneOffset.ofTotalSeconds((int) Math.round(tz * 3600));
            String type = params.get("_type");
            String typeIn = params.get("_type__in");
            if (typeIn != null) {
                Set<String> types = Set.of(typeIn.split(","));
                tests.add(t -> types.contains(t.path("_type").asText()));
            } else if (type == null) {
                tests.add(t -> "lead".equals(t.path("_type").asText()));
            } else if (!type.equals("all")) {
                tests.add(t -> type.equals(t.path("_type").asText()));
            }
            String view = params.get("view");
            for (Map.Entry<String, String> e : params.entrySet()) {
                String k = e.getKey();
                String v = e.getValue();
                switch (k) {
                    case "_type", "_type__in", "format", "_fields", "_skip", "_limit", "_order_by" -> { }
                    case "id", "assigned_to", "lead_id", "organization_id" -> tests.add(t -> v.equals(t.path(k).asText()));
                    case "id__in" -> {
                        Set<String> ids = Set.of(v.split(","));
                        tests.add(t -> ids.contains(t.path("id").asText()));
                    }
                    case "is_complete" -> {
                        boolean want = parseBool(k, v);
                        tests.add(t -> t.path("is_complete").asBoolean() == want);
                    }
                    case "view" -> tests.add(viewTest(v, zone));
                    default -> {
                        int sep = k.indexOf("__");
                        String field = sep < 0 ? k : k.substring(0, sep);
                        String op = sep < 0 ? "eq" : k.substring(sep + 2);
                        if (!DATE_FIELDS.contains(field) || !Set.of("eq", "lt", "lte", "gt", "gte").contains(op)) {
                            throw CloseError.badRequest("Unknown filter parameter: " + k);
                        }
                        if (field.equals("date") && view != null && (view.equals("inbox") || view.equals("future"))
                                && (op.equals("lt") || op.equals("gte"))) {
                            continue; // the view overrides date__lt / date__gte, as Close documents
                        }
                        tests.add(dateTest(field, op, v, zone));
                    }
                }
            }
            return new Query(tests, order(params.getOrDefault("_order_by", "date_created"), zone));
        }

        boolean matches(ObjectNode t) {
            for (var test : tests) {
                if (!test.test(t)) {
                    return false;
                }
            }
            return true;
        }

        private static boolean parseBool(String k, String v) {
            switch (v.toLowerCase()) {
                case "true", "1" -> { return true; }
                case "false", "0" -> { return false; }
                default -> throw CloseError.badRequest("Invalid boolean for " + k + ": " + v);
            }
        }

        private static java.util.function.Predicate<ObjectNode> viewTest(String view, ZoneOffset zone) {
            Instant tomorrow = LocalDate.now(zone).plusDays(1).atStartOfDay(zone).toInstant();
            return switch (view) {
                case "inbox" -> t -> !t.path("is_complete").asBoolean() && instant(t.get("date"), zone) != null
                        && instant(t.get("date"), zone).isBefore(tomorrow);
                case "future" -> t -> !t.path("is_complete").asBoolean() && instant(t.get("date"), zone) != null
                        && !instant(t.get("date"), zone).isBefore(tomorrow);
                case "archive" -> t -> t.path("is_complete").asBoolean();
                default -> throw CloseError.badRequest("Invalid view: " + view + " (inbox, future or archive)");
            };
        }

        private static java.util.function.Predicate<ObjectNode> dateTest(String field, String op, String v,
                ZoneOffset zone) {
            Instant bound = parseInstant(v, zone);
            if (bound == null) {
                throw CloseError.badRequest("Invalid date for " + field + (op.equals("eq") ? "" : "__" + op) + ": " + v);
            }
            String f = field.equals("due_date") ? "date" : field;
            return t -> {
                Instant at = instant(t.get(f), zone);
                if (at == null) {
                    return false;
                }
                int c = at.compareTo(bound);
                return switch (op) {
                    case "lt" -> c < 0;
                    case "lte" -> c <= 0;
                    case "gt" -> c > 0;
                    case "gte" -> c >= 0;
                    default -> c == 0;
                };
            };
        }

        /** A date-only value stands for the start of that day in the caller's time zone. */
        static Instant parseInstant(String v, ZoneOffset zone) {
            try {
                return LocalDate.parse(v).atStartOfDay(zone).toInstant();
            } catch (DateTimeParseException e) {
                try {
                    return OffsetDateTime.parse(v).toInstant();
                } catch (DateTimeParseException e2) {
                    return null;
                }
            }
        }

        private static Instant instant(JsonNode n, ZoneOffset zone) {
            return n == null || n.isNull() ? null : parseInstant(n.asText(), zone);
        }

        private static Comparator<ObjectNode> order(String orderBy, ZoneOffset zone) {
            boolean desc = orderBy.startsWith("-");
            String field = desc ? orderBy.substring(1) : orderBy;
            if (!Set.of("date", "date_created", "date_updated", "id").contains(field)) {
                throw CloseError.badRequest("Invalid _order_by: " + orderBy + " (date or date_created)");
            }
            Comparator<ObjectNode> byField = Comparator.comparing(t -> field.equals("id")
                    ? null : instant(t.get(field), zone), Comparator.nullsLast(Comparator.naturalOrder()));
            if (desc) {
                byField = byField.reversed();
            }
            return byField.thenComparing(t -> t.path("id").asText());
        }
    }
}
