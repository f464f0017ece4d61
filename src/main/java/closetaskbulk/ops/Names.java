package closetaskbulk.ops;

import java.util.Collection;

/** "Did you mean …?" for a misspelt name: the known name closest to it, if close enough. */
public final class Names {

    private Names() {
    }

    /** The known name within 3 edits of name (the closest), or null. */
    public static String closest(String name, Collection<String> known) {
        String best = null;
        int bestDistance = 4;
        for (String k : known) {
            int d = distance(name, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best;
    }

    /** " (did you mean x?)", or "" when no known name is close. */
    public static String didYouMean(String name, Collection<String> known) {
        String best = closest(name, known);
        return best == null ? "" : " (did you mean " + best + "?)";
    }

    /** Levenshtein distance: the fewest single-character insertions, deletions and replacements. */
    public static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
