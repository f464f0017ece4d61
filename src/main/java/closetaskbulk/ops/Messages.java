package closetaskbulk.ops;

/** Messages for people are short: a reason quoted from a file or an answer is cut to a prefix. */
public final class Messages {

    /** The longest reason kept in a summary, the console or a log line. */
    public static final int MAX = 200;

    private Messages() {
    }

    public static String brief(String s) {
        return brief(s, MAX);
    }

    public static String brief(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        return s.substring(0, Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max) + "…";
    }
}
