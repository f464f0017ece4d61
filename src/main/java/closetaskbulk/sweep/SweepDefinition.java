package closetaskbulk.sweep;

import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import closetaskbulk.close.CloseApi;
import closetaskbulk.ops.Names;
import closetaskbulk.run.RowCheck;
import closetaskbulk.run.Update;

/** What makes a sweep's definition one that can run: a selecting filter, an update, a known time zone. */
public final class SweepDefinition {

    /** List parameters the sweep itself sets: a filter may not. */
    private static final Logger LOG = LoggerFactory.getLogger(SweepDefinition.class);

    static final Set<String> RESERVED = Set.of("_fields", "_order_by", "_skip", "_limit", "id", "id__in");

    private SweepDefinition() {
    }

    /** "a=1&b=2" into a map; blank values are dropped. */
    public static Map<String, String> parse(String query) {
        Map<String, String> m = new LinkedHashMap<>();
        if (query == null) {
            return m;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && !pair.substring(eq + 1).isBlank()) {
                m.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return m;
    }

    /** A sweep must select something, and only with Close's list filters. */
    public static Map<String, String> checkFilter(String id, Map<String, String> filter) {
        Map<String, String> selectors = new LinkedHashMap<>(filter);
        selectors.keySet().removeIf(k -> k.startsWith("_"));
        if (selectors.isEmpty()) {
            throw new SweepDefinitionException("sweep " + id + " has no filter: an empty filter would match every "
                    + "task of the organization; set sweep." + id + ".filter (e.g. is_complete=false&assigned_to=user_…)");
        }
        for (String k : filter.keySet()) {
            if (RESERVED.contains(k)) {
                throw new SweepDefinitionException("sweep " + id + ": the filter may not set " + k
                        + " (the sweep pages and batches by itself)");
            }
            if (!CloseApi.isFilter(k)) {
                throw new SweepDefinitionException("sweep " + id + ": '" + k + "' is not a Close task filter"
                        + Names.didYouMean(k, CloseApi.FILTERS));
            }
        }
        return filter;
    }

    /**
     * A task type Close does not document matches no task: one WARN (not a refusal: Close may add types), with
     * the type it may have meant. Values still to be evaluated (${…}) are not checked.
     */
    public static void warnUnknownTypes(String id, Map<String, String> filter) {
        for (String k : new String[] {"_type", "_type__in"}) {
            String v = filter.get(k);
            if (v == null || v.contains("${")) {
                continue;
            }
            for (String type : v.split(",")) {
                if (!type.isBlank() && !CloseApi.TASK_TYPES.contains(type.trim())) {
                    String t = type.trim();
                    List<String> like = CloseApi.TASK_TYPES.stream().filter(known -> known.contains(t)).sorted().toList();
                    LOG.warn("sweep {}: {}={} is not one of Close's task types ({}){}: it matches no task", id, k, t,
                            String.join(", ", new java.util.TreeSet<>(CloseApi.TASK_TYPES)), like.isEmpty()
                                    ? Names.didYouMean(t, CloseApi.TASK_TYPES) : " (did you mean " + String.join(" or ", like) + "?)");
                }
            }
        }
    }

    /** A sweep must change something, with values Close accepts. */
    public static Update checkUpdate(String id, Map<String, String> u) {
        for (String k : u.keySet()) {
            if (!CloseApi.UPDATE_FIELDS.contains(k)) {
                throw new SweepDefinitionException("sweep " + id + ": cannot update '" + k
                        + "' (assigned_to, date, is_complete)");
            }
        }
        String problem = RowCheck.checkValues(u.get("assigned_to"), u.get("date"), u.get("is_complete"));
        if (problem != null) {
            throw new SweepDefinitionException("sweep " + id + ": " + problem);
        }
        Update update = new Update(u.get("assigned_to"), u.get("date"),
                u.containsKey("is_complete") ? RowCheck.parseBool(u.get("is_complete")) : null);
        if (update.isEmpty()) {
            throw new SweepDefinitionException("sweep " + id + " has no update: set at least one of sweep." + id
                    + ".assigned-to, .date, .is-complete");
        }
        return update;
    }

    static ZoneId zone(String id, String tz) {
        try {
            return ZoneId.of(tz.trim());
        } catch (RuntimeException e) {
            throw new SweepDefinitionException("sweep " + id + ": time zone '" + tz + "' is unknown (e.g. Europe/Berlin, UTC)");
        }
    }

    /** x-tz-offset for the zone at the run time, in hours: 1, -8, 5.5. */
    static String tzOffset(ZoneId zone, Instant at) {
        int seconds = zone.getRules().getOffset(at).getTotalSeconds();
        double hours = seconds / 3600.0;
        return hours == Math.rint(hours) ? String.valueOf((int) hours) : String.format(Locale.ROOT, "%s", hours);
    }
}
