package closetaskbulk.run;

import java.util.List;
import java.util.Map;

/**
 * What an adapter (a file, a plan, a sweep, a Kamelet message) says of the run it hands over: only what sources
 * truly differ in. Route run opens the run from it by the bundle's one set of rules ({@link RunRules}); the
 * adapter never builds a run. Exchange property {@link #PROPERTY}.
 */
public final class RunDescription {

    /** Exchange property: the description of the run an adapter hands over with its rows. */
    public static final String PROPERTY = "runDescription";

    private final String name;
    private final String source;
    private boolean dryRun;
    private boolean plan;
    private List<String> updateColumns = List.of();
    private List<String> header = List.of();
    private List<Integer> carried = List.of();
    private Map<String, String> filter;
    private String tzOffset;
    private String authorization;
    private String approvedBy;
    private String approvedAt;
    private String content;
    private long total;
    private RowSource rows;
    private Runnable whenEnded = () -> { };

    /**
     * @param name   the reports' base name (the file without .csv, sweep-id-timestamp, the Kamelet's run name)
     * @param source what the rows came from, for the summary (a file path, "sweep id", "kamelet …")
     */
    public RunDescription(String name, String source) {
        this.name = name;
        this.source = source;
    }

    /** The source asks for a dry run (a preview, a sweep's or the Kamelet's own dryRun); bulk.dry-run adds to it. */
    public RunDescription dryRun(boolean on) {
        this.dryRun = on;
        return this;
    }

    /** An approved plan, applied exactly: never a dry run (whatever bulk.dry-run says), always read first. */
    public RunDescription plan(boolean on) {
        this.plan = on;
        return this;
    }

    /** The update columns this run may change, in the undo file's order. */
    public RunDescription updateColumns(List<String> columns) {
        this.updateColumns = List.copyOf(columns);
        return this;
    }

    /** The input's own header, and where its carried columns are (shown in the reports, never sent). */
    public RunDescription header(List<String> header, List<Integer> carried) {
        this.header = List.copyOf(header);
        this.carried = List.copyOf(carried);
        return this;
    }

    /** The source's own Close list filter (a sweep's), instead of bulk.filter.*. */
    public RunDescription filter(Map<String, String> filter) {
        this.filter = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(filter)); // in its order: a sweep lists with it
        return this;
    }

    /** x-tz-offset for every call of the run (a sweep's time zone). */
    public RunDescription tzOffset(String hours) {
        this.tzOffset = hours;
        return this;
    }

    /** An Authorization header of the run's own (the Kamelet's apiKey); never logged or reported. */
    public RunDescription authorization(String header) {
        this.authorization = header;
        return this;
    }

    /** A plan's approval from the console: who and when. */
    public RunDescription approved(String by, String at) {
        this.approvedBy = by;
        this.approvedAt = at;
        return this;
    }

    /** The content's SHA-256 (a file's): a real run of it is journaled, and resumed after a crash. */
    public RunDescription content(String sha) {
        this.content = sha;
        return this;
    }

    /**
     * How many rows, and how to walk them again for the reports: a file's are read again from the file. Rows
     * handed over as a list need neither: route run counts and walks the list.
     */
    public RunDescription rows(long total, RowSource rows) {
        this.total = total;
        this.rows = rows;
        return this;
    }

    /** Called once the run has ended, whichever way (--sweep ends the process then). */
    public RunDescription whenEnded(Runnable r) {
        this.whenEnded = r;
        return this;
    }

    public String name() {
        return name;
    }

    public String source() {
        return source;
    }

    boolean dryRun() {
        return dryRun;
    }

    boolean plan() {
        return plan;
    }

    List<String> updateColumns() {
        return updateColumns;
    }

    List<String> header() {
        return header;
    }

    List<Integer> carried() {
        return carried;
    }

    /** The source's own filter, or null: the bundle's. */
    Map<String, String> filter() {
        return filter;
    }

    String tzOffset() {
        return tzOffset;
    }

    String authorization() {
        return authorization;
    }

    String approvedBy() {
        return approvedBy;
    }

    String approvedAt() {
        return approvedAt;
    }

    String content() {
        return content;
    }

    long total() {
        return total;
    }

    RowSource rows() {
        return rows;
    }

    Runnable whenEnded() {
        return whenEnded;
    }

    @Override
    public String toString() {
        return "run " + name + " (" + source + ")"; // never the authorization
    }
}
