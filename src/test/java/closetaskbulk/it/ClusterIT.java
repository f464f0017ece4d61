package closetaskbulk.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import closetaskbulk.Fixture;
import closetaskbulk.emulator.CloseEmulator.Recorded;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster profile as operators run it: two bundle processes (the built jar, CAMEL_MAIN_PROFILE=cluster)
 * on one inbox and one PostgreSQL database (CLOSE_DB_URL; tools/pg-start.sh starts one), with the emulator.
 * Runs with -Pcluster.
 */
class ClusterIT {

    private Fixture f;
    private final List<Process> nodes = new ArrayList<>();

    @BeforeEach
    void freshDatabase() throws Exception {
        assertNotNull(System.getenv("CLOSE_DB_URL"), "the cluster ITs need CLOSE_DB_URL: eval \"$(tools/pg-start.sh)\"");
        try (Connection c = db(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA public CASCADE");
            st.execute("CREATE SCHEMA public");
        }
        f = new Fixture();
    }

    @AfterEach
    void stop() throws Exception {
        for (Process p : nodes) {
            p.destroyForcibly();
            p.waitFor(20, TimeUnit.SECONDS);
        }
        f.close();
    }

    @Test
    void twentyFilesDroppedAtOnceAreEachProcessedOnce() throws Exception {
        List<String> ids = f.seed(2000);
        Process a = node("a", Map.of());
        awaitLog("a", "leads inbox:");
        node("b", Map.of());
        awaitLog("b", "ready: cluster profile");
        Files.createDirectories(f.inbox);
        for (int i = 0; i < 20; i++) { // written aside, then all renamed into the inbox at once
            Files.writeString(f.dir.resolve("f" + i + ".tmp"), Fixture.csv("id,assigned_to",
                    ids.subList(i * 100, i * 100 + 100).stream().map(id -> id + "," + Fixture.BOB).toList()));
        }
        for (int i = 0; i < 20; i++) {
            Files.move(f.dir.resolve("f" + i + ".tmp"), f.inbox.resolve(String.format("f%02d.csv", i)));
        }
        await().atMost(180, TimeUnit.SECONDS).until(() -> f.files(f.done).size() == 20);

        Map<String, Integer> written = new HashMap<>();
        for (Recorded put : f.emulator.requests("PUT /task/")) {
            assertEquals(200, put.status());
            for (String id : put.json().get("_params").get("id__in").asText().split(",")) {
                written.merge(id, 1, Integer::sum);
            }
        }
        assertEquals(2000, written.size(), "every id written");
        assertTrue(written.values().stream().allMatch(n -> n == 1), "every id written once");
        assertEquals(40, f.emulator.requests("PUT /task/").size());
        for (int i = 0; i < 20; i++) {
            List<CSVRecord> results = f.results(String.format("f%02d", i));
            assertEquals(100, results.size());
            assertTrue(results.stream().allMatch(r -> r.get("status").equals("UPDATED")));
        }
        assertEquals(List.of(), f.files(f.inbox).stream().filter(n -> n.endsWith(".csv")).toList());
        assertEquals(20, count("SELECT count(*) FROM camel_messageprocessed"));
        assertEquals(0, count("SELECT count(*) FROM ctb_journal"), "finished runs leave no journal");
        // the leader read them all; the other stood by
        assertEquals(20, lines("a", "reading (").size());
        assertEquals(0, lines("b", "reading (").size());
        assertTrue(a.isAlive());

        // the processed register is shared: with a gone, b takes the inbox and knows a content a processed
        a.destroyForcibly();
        awaitLog("b", "leads inbox:");
        Files.copy(f.done.resolve("f07.csv"), f.dir.resolve("again.tmp"));
        Files.move(f.dir.resolve("again.tmp"), f.inbox.resolve("again.csv"));
        await().atMost(60, TimeUnit.SECONDS).until(() -> f.files(f.done).contains("again.csv"));
        assertEquals("already-processed", f.summary("again").path("outcome").asText());
        assertEquals(40, f.emulator.requests("PUT /task/").size(), "nothing sent again");
    }

    @Test
    void whenTheInstanceWorkingOnAFileIsKilledTheOtherFinishesIt() throws Exception {
        List<String> ids = f.seed(3000);
        f.emulator.faults().latency(20, 10);
        Process a = node("a", Map.of());
        awaitLog("a", "leads inbox:");
        node("b", Map.of());
        awaitLog("b", "ready: cluster profile");

        AtomicInteger puts = new AtomicInteger();
        AtomicReference<Process> victim = new AtomicReference<>(a);
        f.emulator.onRequest(r -> {
            if (r.group().equals("PUT /task/") && puts.incrementAndGet() == 20) {
                victim.get().destroyForcibly(); // SIGKILL while Close answers its 20th write
            }
        });
        Files.createDirectories(f.inbox);
        Path tmp = f.dir.resolve("big.tmp");
        Files.writeString(tmp, Fixture.csv("id,assigned_to", ids.stream().map(id -> id + "," + Fixture.BOB).toList()));
        Files.move(tmp, f.inbox.resolve("big.csv"));

        assertTrue(a.waitFor(120, TimeUnit.SECONDS), "a was killed");
        int putsAtKill = f.emulator.requests("PUT /task/").size();
        Set<String> confirmed = journaledOk();
        assertFalse(confirmed.isEmpty(), "the journal in the database holds confirmed batches");

        await().atMost(180, TimeUnit.SECONDS).until(() -> f.files(f.done).contains("big.csv"));
        assertFalse(lines("b", "leads inbox:").isEmpty(), "b took the inbox over");
        assertFalse(lines("b", "resuming an unfinished run").isEmpty());
        List<Recorded> all = f.emulator.requests("PUT /task/");
        for (Recorded later : all.subList(putsAtKill, all.size())) {
            assertFalse(confirmed.contains(JournalLines.sorted(later)), "a batch confirmed before the kill was written again");
        }
        long resent = all.stream().filter(r -> r.status() == 200).count() - 60;
        assertTrue(resent <= 4, "only writes whose answer the killed instance never recorded: " + resent);
        List<CSVRecord> results = f.results("big");
        assertEquals(3000, results.size());
        assertTrue(results.stream().allMatch(r -> r.get("status").equals("UPDATED")));
        for (String id : ids) {
            assertEquals(Fixture.BOB, f.emulator.store().get(id).get("assigned_to").asText(), id);
        }
        List<CSVRecord> undo = Fixture.csv(f.reports.resolve("big.undo.csv"));
        assertEquals(3000, undo.size());
        assertTrue(undo.stream().allMatch(r -> r.get("assigned_to").equals(Fixture.ALICE)), "before-values");
    }

    @Test
    void aSweepFiresOncePerTickAcrossTwoInstancesAndSurvivesTheDeathOfOne() throws Exception {
        f.seed(30);
        f.emulator.faults().latency(300, 0); // a run takes about a second: list, read (and write)
        Map<String, String> sweep = sweep("tick", "0/3 * * * * ?");
        Map<String, Process> byName = new HashMap<>();
        byName.put("a", node("a", sweep));
        byName.put("b", node("b", sweep));
        awaitLog("a", "ready: cluster profile");
        awaitLog("b", "ready: cluster profile");
        long start = System.currentTimeMillis();
        // after 30 s, SIGKILL the instance whose run is in progress (its listing is being answered)
        AtomicReference<String> killed = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicLong killedAt = new java.util.concurrent.atomic.AtomicLong();
        f.emulator.onRequest(r -> {
            if (killed.get() == null && isListing(r) && System.currentTimeMillis() - start > 30_000) {
                String runner = latestRunner();
                byName.get(runner).destroyForcibly();
                killedAt.set(System.currentTimeMillis());
                killed.set(runner);
            }
        });
        await().atMost(150, TimeUnit.SECONDS).pollInterval(1, TimeUnit.SECONDS)
                .until(() -> killed.get() != null && System.currentTimeMillis() - killedAt.get() > 45_000);
        String survivor = killed.get().equals("a") ? "b" : "a";

        List<Long> listings = f.emulator.requests("GET /task/").stream().filter(ClusterIT::isListing)
                .map(Recorded::at).toList();
        // while both run: one run per tick
        // (from the tick after both were ready: a first run on a cold JVM may start late)
        Map<Long, Integer> before = perTick(listings.stream()
                .filter(t -> t > start + 3000 && t < killedAt.get() - 1000).toList());
        assertTrue(before.size() >= 7, "ticks before the kill: " + before);
        assertTrue(before.values().stream().allMatch(n -> n == 1), "one run per tick: " + before);
        // the run cut short is run again on the survivor (Quartz's recovery, once it notices the death)
        await().atMost(5, TimeUnit.SECONDS).until(() -> !lines(survivor, "running it again").isEmpty());
        // from 20 s after the kill: one run per tick, on the survivor
        Map<Long, Integer> after = perTick(listings.stream().filter(t -> t > killedAt.get() + 20_000).toList());
        assertTrue(after.size() >= 7, "ticks after the kill: " + after);
        assertTrue(after.values().stream().allMatch(n -> n == 1), "one run per tick: " + after);
        assertTrue(byName.get(survivor).isAlive());
    }

    private static boolean isListing(Recorded r) { // the sweep's listing: ordered by date_created
        return r.group().equals("GET /task/") && r.body() != null && r.body().contains("date_created");
    }

    /** Listings by the 3-second tick they follow (the cron fires at seconds divisible by 3). */
    private static Map<Long, Integer> perTick(List<Long> times) {
        Map<Long, Integer> m = new TreeMap<>();
        times.forEach(t -> m.merge(Math.floorDiv(t, 3000L), 1, Integer::sum));
        return m;
    }

    /** The instance that logged the latest sweep listing. */
    private String latestRunner() {
        try {
            List<String> a = lines("a", "sweep tick: listing");
            List<String> b = lines("b", "sweep tick: listing");
            String lastA = a.isEmpty() ? "" : a.get(a.size() - 1).substring(0, 23);
            String lastB = b.isEmpty() ? "" : b.get(b.size() - 1).substring(0, 23);
            return lastA.compareTo(lastB) >= 0 ? "a" : "b";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void twoInstancesShareTheRateLimitWithoutA429() throws Exception {
        List<String> ids = f.seed(4000);
        f.emulator.rateLimits().set(10, 20); // per key and group: a burst of 10, then 20 calls a second
        f.emulator.faults().latency(10, 10);
        Path inbox2 = f.dir.resolve("inbox2");
        node("a", Map.of());
        node("b", Map.of("bulk.inbox", inbox2.toString()));
        awaitLog("a", "leads inbox:");
        awaitLog("b", "leads inbox:");
        Files.createDirectories(f.inbox);
        Files.createDirectories(inbox2);
        Files.writeString(f.dir.resolve("one.tmp"), Fixture.csv("id,is_complete",
                ids.subList(0, 2000).stream().map(id -> id + ",true").toList()));
        Files.writeString(f.dir.resolve("two.tmp"), Fixture.csv("id,is_complete",
                ids.subList(2000, 4000).stream().map(id -> id + ",true").toList()));
        Files.move(f.dir.resolve("one.tmp"), f.inbox.resolve("one.csv"));
        Files.move(f.dir.resolve("two.tmp"), inbox2.resolve("two.csv"));
        await().atMost(180, TimeUnit.SECONDS).until(() -> f.files(f.done).containsAll(List.of("one.csv", "two.csv")));

        List<Recorded> calls = f.emulator.requests();
        Map<String, Long> byStatus = new TreeMap<>();
        calls.forEach(r -> byStatus.merge(r.group() + " " + r.status(), 1L, Long::sum));
        long t0 = calls.get(0).at();
        StringBuilder tl = new StringBuilder();
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).status() == 429) {
                for (int j = Math.max(0, i - 25); j < Math.min(calls.size(), i + 5); j++) {
                    Recorded r = calls.get(j);
                    tl.append(String.format("%n%6d %s %d", r.at() - t0, r.group(), r.status()));
                }
            }
        }
        assertEquals(0, calls.stream().filter(r -> r.status() == 429).count(), "no 429 across the two instances: " + byStatus + tl);
        assertEquals(160, calls.size(), "40 reads and 40 writes per file: " + byStatus);
        assertTrue(lines("a", "reading (").size() == 1 && lines("b", "reading (").size() == 1, "both worked at once");
        for (String name : List.of("one", "two")) {
            assertTrue(f.results(name).stream().allMatch(r -> r.get("status").equals("UPDATED")), name);
        }
    }

    // --- helpers

    private Map<String, String> sweep(String id, String cron) throws IOException {
        Path folder = f.dir.resolve("sweeps");
        Files.createDirectories(folder);
        Files.writeString(folder.resolve(id + ".camel.yaml"), """
                - templatedRoute:
                    routeTemplateRef: sweep
                    routeId: sweep-%1$s
                    parameters:
                      - name: sweepId
                        value: %1$s
                      - name: enabled
                        value: "true"
                      - name: cron
                        value: "%2$s"
                      - name: filter
                        value: "_type=all&is_complete=false"
                      - name: assignedTo
                        value: "%3$s"
                """.formatted(id, cron, Fixture.BOB));
        Map<String, String> s = new LinkedHashMap<>();
        s.put("camel.main.routes-include-pattern",
                "file:routes/*.camel.yaml,file:routes/sweeps/*.camel.yaml,file:" + folder + "/*.camel.yaml");
        return s;
    }

    private Process node(String name, Map<String, String> extra) throws IOException {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("bulk.inbox", f.inbox.toString());
        s.put("bulk.done", f.done.toString());
        s.put("bulk.failed", f.failed.toString());
        s.put("bulk.reports", f.reports.toString());
        s.put("bulk.state", f.dir.resolve("state-" + name).toString());
        s.put("bulk.read-lock-min-age", "0");
        s.put("bulk.poll-delay", "200");
        s.put("close.batch-size", "50");
        s.put("cluster.node-id", name);
        s.put("cluster.leader-check-interval", "500");
        s.put("camel.management.port", "0");
        s.put("camel.server.port", String.valueOf(Fixture.freePort())); // each node's console
        s.put("bulk.approved", f.approved.toString());
        s.put("bulk.preview", f.dir.resolve("preview").toString());
        s.putAll(extra);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        s.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", "target/close-task-bulk.jar"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(name).toFile()));
        pb.environment().put("CAMEL_MAIN_PROFILE", "cluster");
        pb.environment().put("CLOSE_BASE_URL", f.emulator.baseUrl());
        pb.environment().put("CLOSE_API_KEY", Fixture.KEY);
        Process p = pb.start();
        nodes.add(p);
        return p;
    }

    private Path log(String node) {
        return f.dir.resolve("node-" + node + ".log");
    }

    private List<String> lines(String node, String text) throws IOException {
        Path log = log(node);
        if (!Files.exists(log)) {
            return List.of();
        }
        return Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> l.contains(text)).toList();
    }

    private void awaitLog(String node, String text) {
        await().atMost(60, TimeUnit.SECONDS).until(() -> !lines(node, text).isEmpty());
    }

    private static Connection db() throws Exception {
        return DriverManager.getConnection(System.getenv("CLOSE_DB_URL"), System.getenv("CLOSE_DB_USER"),
                System.getenv("CLOSE_DB_PASSWORD"));
    }

    private static long count(String sql) throws Exception {
        try (Connection c = db(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The id sets of the batches the journal in the database marks "ok". */
    private static Set<String> journaledOk() throws Exception {
        List<String> lines = new ArrayList<>();
        try (Connection c = db(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT line FROM ctb_journal ORDER BY seq")) {
            while (rs.next()) {
                lines.add(rs.getString(1));
            }
        }
        return JournalLines.confirmed(lines);
    }
}
