package closetaskbulk.run;

import java.util.List;
import java.util.Map;

/**
 * One input row of a run, as an adapter reads it: its line, its task id, the values it asks for by field
 * (assigned_to, date, is_complete, as written; absent leaves a field alone), its own cells for the retry
 * file, and a problem the adapter already found (a ragged CSV row), or null. {@link RowCheck} sets
 * {@code update} when the row is good.
 */
public record Row(int line, String id, Map<String, String> values, List<String> cells, String problem,
                  Update update) {

    public Row(int line, String id, Map<String, String> values, List<String> cells, String problem) {
        this(line, id, values, cells, problem, null);
    }

    Row checked(Update u) {
        return new Row(line, id, values, cells, problem, u);
    }
}
