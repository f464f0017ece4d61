package closetaskbulk.run;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The organization's users, page by page (GET /user/, the body of route list-users): listed once per run, the
 * first time a row names its assignee by e-mail, so that the row can be sent with the user's id.
 */
public final class UserList extends RunCall {

    static final int PAGE = 100;

    private final Map<String, List<String>> byEmail = new HashMap<>(); // two users may share one (any case)
    private int skip;
    private boolean more = true;
    private String failure;

    UserList(Run run) {
        super(run);
    }

    /** Route list-users: more pages to fetch. */
    public boolean isMore() {
        return more && failure == null;
    }

    @Override
    public String group() {
        return "users";
    }

    @Override
    public String method() {
        return "GET";
    }

    @Override
    public String path() {
        return "/user/";
    }

    @Override
    public String query() {
        return "_skip=" + skip + "&_limit=" + PAGE;
    }

    @Override
    public String request() {
        return null;
    }

    @Override
    public void answer(JsonNode body) {
        int n = 0;
        for (JsonNode u : body.path("data")) {
            n++;
            String email = u.path("email").asText("");
            if (!email.isEmpty() && u.hasNonNull("id")) {
                List<String> ids = byEmail.computeIfAbsent(email.toLowerCase(Locale.ROOT), k -> new ArrayList<>(1));
                if (!ids.contains(u.get("id").asText())) {
                    ids.add(u.get("id").asText());
                }
            }
        }
        skip += n;
        more = body.path("has_more").asBoolean(false) && n > 0;
        if (!more) {
            run.users().listed(byEmail, null);
        }
    }

    @Override
    public void fail(int status, String message) {
        failure = message;
        run.users().listed(null, message);
    }

    @Override
    public boolean isFailed() {
        return failure != null;
    }

    @Override
    public String toString() { // the log's name for this call: "<run> users (GET /user/)"
        return run.name() + " users (GET /user/)";
    }
}
