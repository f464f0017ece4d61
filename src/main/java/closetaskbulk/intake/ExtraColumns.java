package closetaskbulk.intake;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import closetaskbulk.ops.Messages;
import closetaskbulk.ops.Names;

/**
 * Columns besides the known ones (a spreadsheet's lead_name, notes, ...): carried through to the reports and
 * never sent (bulk.extra-columns=carry), or refused (reject). A column that looks like a misspelt known one is
 * refused either way, naming the column it resembles: a typo must not silently leave a field alone.
 */
final class ExtraColumns {

    /** Other names people give the known columns (lower case, without separators). */
    private static final Map<String, String> ALIASES = Map.ofEntries(Map.entry("duedate", "date"),
            Map.entry("due", "date"), Map.entry("datetime", "date"), Map.entry("newdate", "date"),
            Map.entry("taskdate", "date"), Map.entry("assignee", "assigned_to"), Map.entry("assigned", "assigned_to"),
            Map.entry("complete", "is_complete"), Map.entry("completed", "is_complete"), Map.entry("task", "id"));

    /** More carried columns than this refuse the file: a header of a million columns is no spreadsheet. */
    static final int MAX_CARRIED = 200;

    private final boolean carry;

    ExtraColumns(boolean carry) {
        this.carry = carry;
    }

    /**
     * Checks the header's other columns (as written) against the known ones: a near-miss is refused, and with
     * bulk.extra-columns=reject any other column is.
     */
    void check(List<String> others, List<String> known, String knownText) {
        for (String c : others) {
            String like = resembles(c, known);
            if (like != null) {
                throw new FileRejectedException("column '" + Messages.brief(c, 40) + "' looks like a misspelt '" + like + "': fix the "
                        + "header (an unknown column is carried to the reports, never sent, so a typo would leave "
                        + "that field alone); if it is a column of your own, give it a name further from '" + like
                        + "'. Nothing was sent");
            }
        }
        if (!carry && !others.isEmpty()) {
            // a few names, each cut short: a header of a million columns must not make a megabyte of reason
            List<String> named = others.stream().limit(3).map(u -> Messages.brief(u, 40)).toList();
            throw new FileRejectedException("unknown column" + (others.size() > 1 ? "s " : " ") + "'"
                    + String.join("', '", named) + "'" + (others.size() > named.size() ? " and "
                    + (others.size() - named.size()) + " more" : "") + ": the columns are " + knownText
                    + " (bulk.extra-columns=reject; with carry, other columns go to the reports)");
        }
        if (others.size() > MAX_CARRIED) {
            throw new FileRejectedException(others.size() + " columns besides the known ones: at most " + MAX_CARRIED
                    + " are carried to the reports");
        }
    }

    /** The known column {@code name} looks like a misspelling of, or null. */
    static String resembles(String name, List<String> known) {
        String n = plain(name);
        String alias = ALIASES.get(n);
        if (alias != null && known.contains(alias)) {
            return alias;
        }
        for (String k : known) {
            String p = plain(k);
            // 'taskid', 'Assigned To'; one slip in a name of 6+ letters, two in one of 10+ ('asigned_too')
            int slips = p.length() >= 10 ? 2 : p.length() >= 6 ? 1 : 0;
            if (n.equals(p) || Names.distance(n, p) <= slips) {
                return k;
            }
        }
        return null;
    }

    /** Lower case, without spaces, '_', '-' and '.'. */
    private static String plain(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[\\s_.\\-]", "");
    }

    /** Where the carried columns are in a header (lower-cased names), given which names are known. */
    static List<Integer> positions(List<String> header, java.util.function.Predicate<String> isKnown) {
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) {
            if (!isKnown.test(header.get(i))) {
                at.add(i);
            }
        }
        return at;
    }
}
