package closetaskbulk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

import closetaskbulk.emulator.CloseEmulator;

/**
 * A Close emulator on a random loopback port and a fresh data folder, and a way to run the bundle in this
 * JVM exactly as the command line does (Application.run), against the shipped routes and config.
 */
public final class Fixture implements AutoCloseable {

    public static final String KEY = "test-key-5f1d2c0b9a";
    public static final String ALICE = "user_Alice0000000000000000000000000000000001";
    public static final String BOB = "user_Bob00000000000000000000000000000000002";
    public static final ObjectMapper JSON = new ObjectMapper();

    public final CloseEmulator emulator;
    public final Path dir;
    public final Path inbox;
    public final Path done;
    public final Path failed;
    public final Path reports;
    public final Path approved;
    public final Map<String, String> settings = new HashMap<>();
    public String output = "";

    public Fixture() {
        try {
            emulator = new CloseEmulator().addKey(KEY).start();
            emulator.store().addUser(ALICE, "alice@example.com");
            emulator.store().addUser(BOB, "Bob.Smith@Example.com");
            dir = Files.createTempDirectory("ctb-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        inbox = dir.resolve("inbox");
        done = dir.resolve("done");
        failed = dir.resolve("failed");
        reports = dir.resolve("reports");
        approved = dir.resolve("approved");
        settings.put("close.base-url", emulator.baseUrl());
        settings.put("close.api-key", KEY);
        settings.put("bulk.inbox", inbox.toString());
        settings.put("bulk.done", done.toString());
        settings.put("bulk.failed", failed.toString());
        settings.put("bulk.reports", reports.toString());
        settings.put("bulk.approved", approved.toString());
        settings.put("bulk.preview", dir.resolve("preview").toString());
        settings.put("camel.server.port", String.valueOf(freePort())); // the console, in service tests
        settings.put("camel.management.port", String.valueOf(freePort())); // never the shared default 9876
        settings.put("bulk.state", dir.resolve("state").toString());
        settings.put("bulk.poll-delay", "100");
        settings.put("bulk.read-lock-check-interval", "100");
        settings.put("bulk.read-lock-min-age", "0");
        settings.put("close.retry.initial-delay", "10");
        settings.put("close.retry.max-delay", "50");
        settings.put("camel.main.shutdown-timeout", "5");
    }

    /** A loopback port free right now. */
    public static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds n tasks task_T00000.. (lead, open, assigned to Alice, dated 2026-12-01). */
    public List<String> seed(int n) {
        List<String> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = String.format("task_T%05d", i);
            ObjectNode t = JSON.createObjectNode();
            t.put("id", id);
            t.put("_type", "lead");
            t.put("assigned_to", ALICE);
            t.put("date", "2026-12-01");
            t.put("is_complete", false);
            t.put("lead_id", "lead_L" + i);
            emulator.store().put(t);
            ids.add(id);
        }
        return ids;
    }

    /**
     * Adds a sweep the way the README's recipe does: one templatedRoute file, and its values as sweep.id.*
     * settings. Returns the folder to add to camel.main.routes-include-pattern.
     */
    public Path addSweep(String id, Map<String, String> values) {
        Path folder = dir.resolve("sweeps");
        StringBuilder yaml = new StringBuilder("- templatedRoute:\n    routeTemplateRef: sweep\n    routeId: sweep-" + id
                + "\n    parameters:\n      - name: sweepId\n        value: " + id + "\n");
        Map<String, String> names = Map.of("enabled", "enabled", "cron", "cron", "time-zone", "timeZone", "filter",
                "filter", "assigned-to", "assignedTo", "date", "date", "is-complete", "isComplete", "max-tasks",
                "maxTasks", "dry-run", "dryRun", "run-missed", "runMissed");
        values.forEach((k, v) -> {
            settings.put("sweep." + id + "." + k, v);
            yaml.append("      - name: ").append(names.get(k)).append("\n        value: \"{{sweep.").append(id)
                    .append('.').append(k).append("}}\"\n");
        });
        try {
            Files.createDirectories(folder);
            Files.writeString(folder.resolve(id + ".camel.yaml"), yaml.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        routesAlsoFrom(folder);
        return folder;
    }

    /** The shipped route files, and those of {@code folder}. */
    public Fixture routesAlsoFrom(Path folder) {
        return set("camel.main.routes-include-pattern", "file:routes/*.camel.yaml,file:routes/sweeps/*.camel.yaml,file:"
                + folder + "/*.camel.yaml");
    }

    public Fixture set(String key, String value) {
        settings.put(key, value);
        return this;
    }

    public Path drop(String name, String content) {
        try {
            Files.createDirectories(inbox);
            Path tmp = inbox.resolve("." + name + ".tmp");
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            return Files.move(tmp, inbox.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the bundle in this JVM with the given command-line flags; returns the exit code. */
    public int run(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code = Application.run(args, settings, new PrintStream(buf, true, StandardCharsets.UTF_8));
        output = buf.toString(StandardCharsets.UTF_8);
        return code;
    }

    /** The log of the last {@link #runLogged} run: "LEVEL message", and any stack trace after it. */
    public final List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** {@link #run}, keeping every log line of the run in {@link #log}. */
    public int runLogged(String... args) {
        var appender = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        var root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        appender.start();
        root.addAppender(appender);
        try {
            return run(args);
        } finally {
            root.detachAppender(appender);
            log.clear();
            appender.list.forEach(e -> log.add(e.getLevel() + " " + e.getFormattedMessage() + (e.getThrowableProxy() == null
                    ? "" : " " + ch.qos.logback.classic.spi.ThrowableProxyUtil.asString(e.getThrowableProxy()))));
        }
    }

    public List<CSVRecord> results(String name) {
        return csv(reports.resolve(name + ".results.csv"));
    }

    public static List<CSVRecord> csv(Path p) {
        try (Reader r = Files.newBufferedReader(p)) {
            return CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r).getRecords();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The status column of results rows, in order. */
    public static List<String> statuses(List<CSVRecord> rows) {
        return rows.stream().map(r -> r.get("status")).toList();
    }

    public JsonNode summary(String name) {
        try {
            return JSON.readTree(reports.resolve(name + ".summary.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<String> files(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int count(String group) {
        return emulator.requests(group).size();
    }

    @Override
    public void close() {
        emulator.close();
    }

    /** A CSV text from a header and rows. */
    public static String csv(String header, List<String> rows) {
        return header + "\n" + String.join("\n", rows) + (rows.isEmpty() ? "" : "\n");
    }
}
