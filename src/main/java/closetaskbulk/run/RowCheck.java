package closetaskbulk.run;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Headers;

import closetaskbulk.close.CloseApi;

/**
 * Step check-row of route run: is the row one Close can take? It says so in header {@value #STATUS}, on which
 * route run's choice row-way decides: {@code OK} (the row comes back with its {@link Row#update()}),
 * {@code INVALID}, {@code DUPLICATE} or {@code FAILED} (the organization's users could not be listed), with
 * why in header {@value #PROBLEM}. The route records a refused row's result with {@link #refused}.
 */
public class RowCheck {

    /** Header: the row's way, OK, INVALID, DUPLICATE or FAILED. */
    public static final String STATUS = "rowStatus";
    /** Header: why a row is refused (INVALID, FAILED), or the line of the first row of its id (DUPLICATE). */
    public static final String PROBLEM = "rowProblem";
    static final String OK = "OK";

    private static final Pattern ID = Pattern.compile("[a-z]+_[A-Za-z0-9_]+");
    private static final Pattern USER = Pattern.compile("user_[A-Za-z0-9]+");
    private static final Pattern DATE_SHAPE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    private static final Pattern LOCAL_DATE = Pattern.compile("\\d{1,2}([./-])\\d{1,2}\\1\\d{4}");

    private final java.time.format.DateTimeFormatter dateFormat;
    private final String dateFormatText;

    public RowCheck() {
        this("");
    }

    /** @param dateFormat bulk.date-format: one more pattern dates may be written in (empty: ISO only) */
    public RowCheck(String dateFormat) {
        this.dateFormatText = dateFormat == null ? "" : dateFormat.trim();
        this.dateFormat = dateFormatText.isEmpty() ? null
                : java.time.format.DateTimeFormatter.ofPattern(dateFormatText, Locale.ROOT);
    }

    /**
     * Checks a row: headers {@value #STATUS} and {@value #PROBLEM} say its way; a good row comes back with its
     * update. A row that names its assignee by e-mail is checked once route run has listed the organization's
     * users (needs-users).
     */
    public Row check(Row row, @ExchangeProperty(Runs.RUN) Run run, @Headers Map<String, Object> headers) {
        String problem = row.problem() != null ? row.problem() : checkId(row.id());
        if (problem == null) {
            int first = run.ids().putIfAbsent(row.id(), row.line());
            if (first != 0 && first != row.line()) {
                return way(headers, row, Status.DUPLICATE.name(), first);
            }
            Map<String, String> v = row.values();
            String assignedTo = v.get("assigned_to");
            String date = v.get("date") == null ? null : isoDate(v.get("date"));
            problem = checkValues(assignedTo, date, v.get("is_complete"));
            if (problem != null && date != null && checkDate(date) != null) {
                problem = problem + dateHint(date);
            }
            if (problem == null && isEmail(assignedTo)) {
                if (!run.users().isListed()) {
                    throw new IllegalStateException("route run checks a row naming an e-mail before listing the users");
                }
                if (run.users().failure() != null) {
                    return way(headers, row, Status.FAILED.name(), "the organization's users could not be listed "
                            + "to find '" + quote(assignedTo) + "': " + run.users().failure());
                }
                List<String> ids = run.users().ids(assignedTo);
                if (ids.isEmpty()) {
                    problem = "assigned_to '" + quote(assignedTo) + "' is not the e-mail of a user of this organization";
                } else if (ids.size() > 1) {
                    problem = "assigned_to '" + quote(assignedTo) + "' is the e-mail of " + ids.size() + " users ("
                            + String.join(", ", ids) + "): name the user by id instead";
                }
                assignedTo = ids.size() == 1 ? ids.get(0) : null;
            }
            if (problem == null) {
                Update u = new Update(assignedTo, date,
                        v.get("is_complete") == null ? null : parseBool(v.get("is_complete")));
                if (!u.isEmpty()) {
                    return way(headers, row.checked(u), OK, null);
                }
                problem = "nothing to change: fill at least one of " + String.join(", ", CloseApi.UPDATE_FIELDS);
            }
        }
        return way(headers, row, Status.INVALID.name(), problem);
    }

    private static Row way(Map<String, Object> headers, Row row, String status, Object problem) {
        headers.put(STATUS, status);
        if (problem != null) {
            headers.put(PROBLEM, problem);
        }
        return row;
    }

    /**
     * Step record-refused (route run's row-way): a refused row's result, with why; a DUPLICATE names the line of
     * the first row of its id.
     */
    public void refused(Row row, @Header(STATUS) String status, @Header(PROBLEM) Object problem,
                        @ExchangeProperty(Runs.RUN) Run run) {
        if (Status.DUPLICATE.name().equals(status)) {
            run.results().duplicate(row.line(), (Integer) problem);
        } else {
            run.results().result(row.line(), Status.valueOf(status), 0, (String) problem);
        }
    }

    static boolean isEmail(String v) {
        return v != null && EMAIL.matcher(v).matches();
    }

    /** A date in bulk.date-format as ISO (2026-03-01); anything else as written. */
    private String isoDate(String d) {
        if (dateFormat == null || checkDate(d) == null) {
            return d;
        }
        try {
            LocalDate parsed = LocalDate.parse(d, dateFormat);
            return dateFormat.format(parsed).equals(d) ? parsed.toString() : d; // 02/30 does not round-trip
        } catch (DateTimeParseException e) {
            return d;
        }
    }

    /** What would make a date Close refused acceptable: bulk.date-format, named. */
    private String dateHint(String d) {
        if (dateFormat != null) {
            return " (nor one in bulk.date-format=" + dateFormatText + ")";
        }
        java.util.regex.Matcher m = LOCAL_DATE.matcher(d);
        if (m.matches()) {
            String sep = m.group(1);
            return "; or set bulk.date-format=MM" + sep + "dd" + sep + "yyyy (or dd" + sep + "MM" + sep + "yyyy) to "
                    + "accept dates written this way";
        }
        return "";
    }

    /** Null when the id looks like a Close task id; else what is wrong with it, for a person. */
    public static String checkId(String id) {
        if (id == null || id.isEmpty()) {
            return "id is empty";
        }
        if (id.chars().anyMatch(Character::isWhitespace) || id.contains(",") || id.contains(";")) {
            return "id '" + quote(id) + "' holds more than one token: put one task id per row";
        }
        if (!ID.matcher(id).matches()) {
            return "id '" + quote(id) + "' is not a Close task id (like task_abc123 or noti_abc123)";
        }
        return null;
    }

    /** Null when the update values are ones Close accepts; else what is wrong with each, for a person. */
    public static String checkValues(String assignedTo, String date, String complete) {
        List<String> errors = new ArrayList<>(3);
        if (assignedTo != null && !USER.matcher(assignedTo).matches() && !isEmail(assignedTo)) {
            errors.add("assigned_to '" + quote(assignedTo) + "' is not a Close user id (like user_abc123) or the "
                    + "e-mail of a user");
        }
        String dateError = date == null ? null : checkDate(date);
        if (dateError != null) {
            errors.add(dateError);
        }
        if (complete != null && parseBool(complete) == null) {
            errors.add("is_complete '" + quote(complete) + "' must be true or false (1/0 and yes/no work too)");
        }
        return errors.isEmpty() ? null : String.join("; ", errors);
    }

    public static Boolean parseBool(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> Boolean.TRUE;
            case "false", "0", "no" -> Boolean.FALSE;
            default -> null;
        };
    }

    /** Null when the date is one Close accepts; else what to write instead. */
    static String checkDate(String d) {
        String use = "use 2026-03-01, or a date-time with its offset like 2026-03-01T09:00:00+01:00";
        if (DATE_SHAPE.matcher(d).matches()) {
            try {
                LocalDate.parse(d);
                return null;
            } catch (DateTimeParseException e) {
                return "date '" + quote(d) + "' is not a real calendar date";
            }
        }
        try {
            OffsetDateTime.parse(d);
            return null;
        } catch (DateTimeParseException e) {
            try {
                LocalDateTime.parse(d);
                return "date '" + quote(d) + "' has no time zone offset: " + use;
            } catch (DateTimeParseException e2) {
                return "date '" + quote(d) + "' is not a date Close accepts: " + use;
            }
        }
    }

    /** A value as quoted in a message: a runaway cell (say 10 MB on one line) is cut, not copied. */
    public static String quote(String v) {
        return v.length() <= 60 ? v : v.substring(0, 40) + "…(" + v.length() + " characters)";
    }

    /** The update columns an update touches, in report order. */
    public static List<String> updateColumns(Update u) {
        return CloseApi.UPDATE_FIELDS.stream().filter(u.fields()::containsKey).toList();
    }
}
