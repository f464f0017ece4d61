package closetaskbulk.run;

import java.util.List;
import java.util.Map;

/**
 * One input row of a run, as an adapter reads it: its line, its task id, the values it asks for by field
 * (assigned_to, date, is_complete, as written; absent leaves a field alone), its own cells for the retry
 * file, and a problem the adapter already found, or null. A row of a plan also carries the values its fields
 * must still hold ({@code expected}, by field; "" for empty) to be written. {@link RowCheck} sets
 * {@code update} when the row is good.
 */
public record Row(int line, String id, Map<String, String> values, List<String> cells, String problem,
                  Map<String, String> expected, Update update) {

    public Row(int line, String id, Map<String, String> values, List<String> cells, String problem) {
        this(line, id, values, cells, problem, null, null);
    }

    public Row(int line, String id, Map<String, String> values, List<String> cells, String problem,
               Map<String, String> expected) {
        this(line, id, values, cells, problem, expected, null);
    }

    /** Names its assignee by e-mail: route run lists the organization's users (once) before checking it. */
    public boolean isEmailAssignee() {
        return values != null && RowCheck.isEmail(values.get("assigned_to"));
    }

    Row checked(Update u) {
        return new Row(line, id, values, cells, problem, expected, u);
    }
}
