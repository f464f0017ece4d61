package closetaskbulk.run;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields one row (or a sweep) sets; null means "leave alone". Rows with equal updates share batches.
 * {@code date} is kept as written (date-only or date-time with offset) and compared by meaning.
 */
public record Update(String assignedTo, String date, Boolean isComplete) {

    public boolean isEmpty() {
        return assignedTo == null && date == null && isComplete == null;
    }

    /** The JSON fields of the PUT body. */
    public Map<String, Object> fields() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (assignedTo != null) {
            m.put("assigned_to", assignedTo);
        }
        if (date != null) {
            m.put("date", date);
        }
        if (isComplete != null) {
            m.put("is_complete", isComplete);
        }
        return m;
    }

    @Override
    public String toString() {
        return fields().toString();
    }
}
