package closetaskbulk.console;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import closetaskbulk.intake.Approvals;
import closetaskbulk.run.PlanSeals;
import closetaskbulk.run.Run;
import closetaskbulk.sweep.SweepSchedule;

/**
 * What the console changes (routes/console.camel.yaml), each with the guard's checks done: an upload lands
 * in bulk.inbox (apply) or bulk.preview (preview) under a temporary name, then is renamed; an approval copies
 * a plan into bulk.approved with who approved it; a sweep is fired now, for real or as a dry run.
 */
public class ConsoleActions {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleActions.class);

    private final Path reports;
    private final Path inbox;
    private final Path preview;
    private final Path approved;
    private final long uploadMaxBytes;
    private final SweepList sweeps;
    private final SweepSchedule schedule;
    private final Console console;

    public ConsoleActions(Path reports, Path inbox, Path preview, Path approved, long uploadMaxBytes,
                          SweepList sweeps, SweepSchedule schedule, Console console) {
        this.console = console; // where a plan stands: only one awaiting approval is approved
        this.reports = reports.toAbsolutePath().normalize();
        this.inbox = inbox;
        this.preview = preview;
        this.approved = approved;
        this.uploadMaxBytes = uploadMaxBytes;
        this.sweeps = sweeps;
        this.schedule = schedule;
    }

    /** POST /api/uploads?name=&mode=preview|apply, the file as the body. */
    public String upload(Exchange ex) throws IOException {
        String raw = ConsoleGuard.param(ex, "name", "");
        String mode = ConsoleGuard.param(ex, "mode", "preview");
        if (!mode.equals("preview") && !mode.equals("apply")) {
            throw new ConsoleRefused(400, "mode must be preview or apply");
        }
        String name = safeName(raw);
        if (!name.toLowerCase(Locale.ROOT).endsWith(".csv")) {
            throw new ConsoleRefused(415, "only .csv files are accepted (this is '" + name + "')");
        }
        String type = ConsoleGuard.param(ex, "Content-Type", "").toLowerCase(Locale.ROOT);
        if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/")) {
            // the server decodes such a body into form fields: the file would arrive empty or mangled
            throw new ConsoleRefused(415, "send the file's bytes as the body, with Content-Type: text/csv (curl: "
                    + "-H 'Content-Type: text/csv' --data-binary @file.csv), not as a form");
        }
        String length = ConsoleGuard.param(ex, "Content-Length", "0").trim();
        if (length.matches("\\d{1,18}") && Long.parseLong(length) > uploadMaxBytes) {
            throw new ConsoleRefused(413, tooLarge(uploadMaxBytes));
        }
        byte[] body;
        try (InputStream in = ex.getIn().getBody(InputStream.class)) {
            body = in == null ? new byte[0] : in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, uploadMaxBytes + 1));
        }
        if (body.length > uploadMaxBytes) {
            throw new ConsoleRefused(413, tooLarge(uploadMaxBytes));
        }
        if (body.length == 0) {
            throw new ConsoleRefused(400, "the file is empty");
        }
        Path dir = mode.equals("apply") ? inbox : preview;
        Files.createDirectories(dir);
        Path target = free(dir, name);
        Path tmp = dir.resolve("." + target.getFileName() + ".upload");
        Files.write(tmp, body);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        LOG.info("console: {} uploaded {} ({} bytes) to {} ({})", ex.getProperty(ConsoleGuard.USER), target.getFileName(),
                body.length, dir, mode);
        String file = target.getFileName().toString();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", file);
        m.put("run", file.substring(0, file.length() - 4));
        m.put("mode", mode);
        return Console.json(ex, m);
    }

    /** The refusal of a file over the limit (also the server's, for a body it will not read: HttpGuard). */
    static String tooLarge(long uploadMaxBytes) {
        return "the file is larger than the console accepts (console.upload-max-bytes=" + uploadMaxBytes
                + "): drop it into the inbox folder instead";
    }

    /** A file name with no path, only plain characters, not hidden. */
    static String safeName(String raw) {
        String n = raw == null ? "" : raw.replace('\\', '/');
        n = n.substring(n.lastIndexOf('/') + 1).strip();
        n = n.replaceAll("[^\\p{L}\\p{N}._ -]", "_").replaceAll("^[.\\s]+", "");
        if (n.length() > 120) {
            n = n.substring(n.length() - 120);
        }
        if (n.isEmpty() || n.equalsIgnoreCase(".csv")) {
            throw new ConsoleRefused(400, "the file needs a name");
        }
        return n;
    }

    /**
     * dir/name, or dir/name-2.csv, … when the file or a run of that name exists: nothing is overwritten, and
     * the run the upload starts is the one named in the answer, not an older one.
     */
    private Path free(Path dir, String name) {
        String stem = name.substring(0, name.length() - 4);
        Path p = dir.resolve(name);
        for (int i = 2; Files.exists(p) || !Run.uniqueBase(reports, stem(p)).equals(stem(p)); i++) {
            p = dir.resolve(stem + "-" + i + ".csv");
        }
        return p;
    }

    private static String stem(Path csv) {
        String n = csv.getFileName().toString();
        return n.substring(0, n.length() - 4);
    }

    /**
     * POST /api/plans/{name}/approve?sha=: the plan goes to bulk.approved, with who approved it and when; only
     * while it is the plan its dry run wrote and the approver saw (the SHA-256 the page showed). Two approvals
     * at once: one copies the plan, the other is told it is approved already.
     */
    public synchronized String approve(Exchange ex) throws IOException {
        String name = Console.name(ex);
        String state = console.planState(name);
        if (state == null) {
            throw new ConsoleRefused(404, "no plan named '" + name + "'");
        }
        switch (state) {
            case "awaiting approval" -> { }
            case "applied" -> throw new ConsoleRefused(409, "this plan was applied already");
            case "approved" -> throw new ConsoleRefused(409, "this plan is approved already and waits to be applied");
            case "changed" -> throw new ConsoleRefused(409, "this plan changed since its dry run wrote it: a plan is "
                    + "applied only as its dry run wrote it; to change it, make a new preview");
            default -> throw new ConsoleRefused(409, "this plan is " + state + ": only a plan awaiting approval can be "
                    + "approved" + ("expired".equals(state) || "incomplete".equals(state) ? " (make a new one with Preview)" : ""));
        }
        String shown = ConsoleGuard.param(ex, "sha", "").trim();
        byte[] content = Files.readAllBytes(reports.resolve(name + ".plan.csv"));
        String sha = PlanSeals.sha256(content);
        if (!sha.equals(console.sealedSha(name)) || !sha.equals(shown)) {
            throw new ConsoleRefused(409, "this plan is not the one shown (SHA-256 " + sha.substring(0, 12)
                    + "…): reload it, read it again and approve what you see");
        }
        Path target = approved.resolve(name + ".plan.csv");
        Files.createDirectories(approved);
        String by = ex.getProperty(ConsoleGuard.USER, "local", String.class);
        Approvals.write(target, by, Instant.now().toString()); // before the plan lands: it is read with it
        Path tmp = approved.resolve("." + name + ".plan.csv.approving");
        Files.write(tmp, content); // the bytes checked above, not the file again
        try {
            Files.createLink(target, tmp); // fails if another approval (another instance) landed first
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new ConsoleRefused(409, "this plan is approved already and waits to be applied");
        } finally {
            Files.deleteIfExists(tmp);
        }
        LOG.info("console: {} approved the plan {} (SHA-256 {})", by, name + ".plan.csv", sha);
        return Console.json(ex, Map.of("run", name + ".plan", "approved_by", by, "plan_sha256", sha));
    }

    /** ?dry=: true, 1 or yes for a dry run; false, 0 or no for a real one; anything else is refused, never run. */
    static boolean dry(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new ConsoleRefused(400, "dry must be true or false (this is '" + value + "')");
        };
    }

    /** POST /api/sweeps/{id}/run?dry=true|false: fires an enabled sweep now. */
    public String sweep(Exchange ex) throws Exception {
        String id = ConsoleGuard.param(ex, "id", "");
        boolean dry = dry(ConsoleGuard.param(ex, "dry", "true"));
        if (!sweeps.exists(ex.getContext(), id)) {
            throw new ConsoleRefused(404, "no sweep named '" + id + "'");
        }
        if (!sweeps.enabled(ex.getContext(), id)) {
            throw new ConsoleRefused(409, "sweep " + id + " is off: set sweep." + id + ".enabled=true to run it here, "
                    + "or run it once with --sweep " + id + " --dry-run");
        }
        schedule.fire(ex.getContext(), id, dry);
        LOG.info("console: {} started sweep {}{}", ex.getProperty(ConsoleGuard.USER), id, dry ? " (dry run)" : "");
        return Console.json(ex, Map.of("sweep", id, "dry_run", dry, "run_prefix", "sweep-" + id + "-"));
    }
}
