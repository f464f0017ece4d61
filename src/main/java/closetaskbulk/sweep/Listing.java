package closetaskbulk.sweep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import closetaskbulk.close.CloseApi;
import closetaskbulk.run.Run;
import closetaskbulk.run.RunCall;

/**
 * A sweep's listing, page by page (the body of the sweep route's list loop): every id its filter matches,
 * in a stable order, before anything is written. Paging over a filter while updating the field it filters
 * on would skip rows.
 */
public final class Listing extends RunCall {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> filter;
    private final int pageSize;
    private final int maxTasks;
    private final List<String> ids = new ArrayList<>();
    private int skip;
    private boolean more = true;
    private String failure;

    Listing(Run run, Map<String, String> filter, int pageSize, int maxTasks) {
        super(run);
        this.filter = filter;
        this.pageSize = pageSize;
        this.maxTasks = maxTasks;
    }

    /** More pages to list (false once listed, over the cap, or failed). */
    public boolean isMore() {
        return more && !isCapped() && failure == null;
    }

    /** More tasks match than the sweep's max-tasks: nothing is sent. */
    public boolean isCapped() {
        return ids.size() > maxTasks;
    }

    /** The filter as sent to Close. */
    Map<String, String> filter() {
        return filter;
    }

    public int maxTasks() {
        return maxTasks;
    }

    public List<String> ids() {
        return ids;
    }

    @Override
    public boolean isFailed() {
        return failure != null;
    }

    public String failure() {
        return failure;
    }

    @Override
    public String group() {
        return "read";
    }

    @Override
    public String method() {
        return "POST";
    }

    /** The next page: the filter in _params, a stable order. */
    @Override
    public String request() {
        Map<String, Object> params = new LinkedHashMap<>(filter);
        params.put("_fields", CloseApi.READ_FIELDS);
        params.put("_order_by", "date_created");
        params.put("_skip", skip);
        params.put("_limit", pageSize);
        try {
            return JSON.writeValueAsString(Map.of("_params", params));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void answer(JsonNode page) {
        for (JsonNode t : page.path("data")) {
            ids.add(t.path("id").asText());
        }
        skip += page.path("data").size();
        more = page.path("has_more").asBoolean() && page.path("data").size() > 0;
    }

    @Override
    public void fail(int status, String message) {
        failure = message;
    }

    @Override
    public String toString() {
        return run.name() + " listing (" + ids.size() + " tasks so far)";
    }
}
