package closetaskbulk.run;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The organization's users by lower-cased e-mail, listed once per run (or why they could not be). */
public final class RunUsers {

    private Map<String, List<String>> byEmail;
    private String failure;
    private boolean listed;

    /** The listing's outcome: the users by e-mail, or why they could not be listed. */
    synchronized void listed(Map<String, List<String>> users, String why) {
        this.byEmail = users == null ? Map.of() : Map.copyOf(users);
        this.failure = why;
        this.listed = true;
    }

    /** The users were listed for this run (route run's needs-users). */
    public synchronized boolean isListed() {
        return listed;
    }

    /** The ids of the users with this e-mail (any case): none, one, or more when users share it. */
    synchronized List<String> ids(String email) {
        return byEmail == null ? List.of() : byEmail.getOrDefault(email.toLowerCase(Locale.ROOT), List.of());
    }

    /** Why the users could not be listed, or null. */
    synchronized String failure() {
        return failure;
    }
}
