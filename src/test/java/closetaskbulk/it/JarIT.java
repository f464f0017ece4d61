package closetaskbulk.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import closetaskbulk.Fixture;
import closetaskbulk.emulator.CloseEmulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Starts the built target/close-task-bulk.jar as a user would, from the repository root. */
class JarIT {

    @TempDir
    Path dir;

    record Result(int code, String output) {
    }

    Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return runIn(Path.of("."), env, args);
    }

    Result runIn(Path workDir, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dbulk.inbox=" + dir.resolve("inbox"), "-Dbulk.done=" + dir.resolve("done"),
                "-Dbulk.failed=" + dir.resolve("failed"), "-Dbulk.reports=" + dir.resolve("reports"),
                "-Dbulk.state=" + dir.resolve("state"),
                "-Dbulk.read-lock-min-age=0", "-jar", Path.of("target/close-task-bulk.jar").toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(workDir.toFile());
        pb.environment().remove("CLOSE_API_KEY");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }

    /** Files the camel CLI's connector keeps in ~/.camel for a running process. */
    static long cliFiles(long pid) throws IOException {
        Path home = Path.of(System.getProperty("user.home"), ".camel");
        if (!Files.isDirectory(home)) {
            return 0;
        }
        try (var files = Files.list(home)) {
            return files.filter(p -> p.getFileName().toString().startsWith(pid + "")).count();
        }
    }

    void inbox(String name, String content) throws IOException {
        Files.createDirectories(dir.resolve("inbox"));
        Files.writeString(dir.resolve("inbox").resolve(name), content);
    }

    void drop(String example) throws IOException {
        Files.createDirectories(dir.resolve("inbox"));
        Files.copy(Path.of("examples", example), dir.resolve("inbox").resolve(example));
    }

    @Test
    void helpAndAMissingKey() throws Exception {
        Result help = run(Map.of(), "--help");
        assertEquals(0, help.code());
        assertTrue(help.output().contains("--once"));
        Result noKey = run(Map.of(), "--once");
        assertEquals(2, noKey.code(), noKey.output());
        assertTrue(noKey.output().strip().startsWith("error: close.api-key is not set"), noKey.output());
        assertFalse(noKey.output().contains("Exception"), noKey.output());
    }

    /** A folder to run the jar from, as from the repository root: config/ and routes/ copied. */
    Path home() throws IOException {
        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve("config"));
        Files.copy(Path.of("config/application.properties"), home.resolve("config/application.properties"));
        try (var routes = Files.walk(Path.of("routes"))) {
            for (Path p : routes.toList()) {
                Path target = home.resolve(p.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return home;
    }

    /** The README's quick start, in a folder whose data/inbox holds a real file: the demo never touches it. */
    @Test
    void demoProcessesTheExamplesInItsOwnFoldersOnly() throws Exception {
        Path home = home();
        Path real = Files.createDirectories(home.resolve("data/inbox")).resolve("real.csv");
        Files.writeString(real, "id,is_complete\ntask_Real0001,true\n");
        Files.createDirectories(home.resolve("demo/inbox"));
        Files.copy(Path.of("examples/complete-tasks.csv"), home.resolve("demo/inbox/complete-tasks.csv"));
        Result ok = runIn(home, Map.of(), "--demo", "--once");
        assertEquals(0, ok.code(), ok.output());
        assertTrue(Files.exists(home.resolve("demo/done/complete-tasks.csv")));
        List<String> results = Files.readAllLines(home.resolve("demo/reports/complete-tasks.results.csv"));
        assertEquals(16, results.size());
        assertTrue(results.stream().skip(1).allMatch(l -> l.contains(",UPDATED,")), results.toString());
        assertTrue(Files.exists(real), "a file of the configured inbox stays where it is");
        assertFalse(Files.exists(home.resolve("data/done")) && Files.list(home.resolve("data/done")).findAny().isPresent());
        assertFalse(ok.output().contains("real.csv"), ok.output());

        // the demo's state starts afresh with its Close: the same example runs again
        Files.copy(Path.of("examples/complete-tasks.csv"), home.resolve("demo/inbox/complete-tasks.csv"));
        Files.copy(Path.of("examples/bad-rows.csv"), home.resolve("demo/inbox/bad-rows.csv"));
        Result again = runIn(home, Map.of(), "--demo", "--once");
        assertEquals(1, again.code(), again.output()); // bad-rows.csv has bad rows
        assertTrue(Files.exists(home.resolve("demo/reports/bad-rows.retry.csv")));
        assertTrue(Files.exists(home.resolve("demo/done/complete-tasks.csv")));
        assertFalse(again.output().contains("already processed") || again.output().contains("was processed on"), again.output());
        assertTrue(Files.exists(real));
    }

    @Test
    void environmentPointsTheJarAtCloseAndTheKeyNeverShows() throws Exception {
        try (Fixture f = new Fixture()) {
            CloseEmulator emu = f.emulator;
            List<String> ids = f.seed(3);
            inbox("j.csv", Fixture.csv("id,assigned_to", ids.stream().map(i -> i + "," + Fixture.BOB).toList()));
            Result r = run(Map.of("CLOSE_BASE_URL", emu.baseUrl(), "CLOSE_API_KEY", Fixture.KEY), "--once");
            assertEquals(0, r.code(), r.output());
            assertEquals(1, emu.requests("PUT /task/").size());
            assertFalse(r.output().contains(Fixture.KEY));
            try (var all = Files.walk(dir)) { // reports, state (journal, register), moved files: everything
                for (Path p : all.filter(Files::isRegularFile).toList()) {
                    assertFalse(new String(Files.readAllBytes(p), StandardCharsets.UTF_8).contains(Fixture.KEY), p.toString());
                }
            }
            emu.revokeKey(Fixture.KEY);
            Files.writeString(dir.resolve("inbox/k.csv"), Fixture.csv("id,is_complete", List.of(ids.get(0) + ",true")));
            Result halted = run(Map.of("CLOSE_BASE_URL", emu.baseUrl(), "CLOSE_API_KEY", Fixture.KEY), "--once");
            assertEquals(2, halted.code(), halted.output());
            assertTrue(halted.output().contains("HALT"), halted.output());
            // one line says it: nothing after it but Camel's own shutdown line, no trace, no second warning
            String after = halted.output().substring(halted.output().indexOf("HALT"));
            List<String> more = after.lines().skip(1).filter(l -> !l.contains("o.a.c.main.MainSupport")).toList();
            assertEquals(List.of(), more, halted.output());
            assertTrue(Files.exists(dir.resolve("inbox/k.csv")));
            assertFalse(halted.output().contains(Fixture.KEY));

            // a sweep halted the same way: the HALT line and nothing after it (no Quartz job error)
            Result sweep = run(Map.of("CLOSE_BASE_URL", emu.baseUrl(), "CLOSE_API_KEY", Fixture.KEY), "--sweep",
                    "stale-followups");
            assertEquals(2, sweep.code(), sweep.output());
            String afterSweep = sweep.output().substring(sweep.output().indexOf("HALT"));
            assertEquals(List.of(), afterSweep.lines().skip(1).filter(l -> !l.contains("o.a.c.main.MainSupport")).toList(),
                    sweep.output());
        }
    }

    @Test
    void theEnvironmentSetsAnySettingAndTheCommandLineWinsOverIt() throws Exception {
        try (Fixture f = new Fixture()) {
            List<String> ids = f.seed(3);
            inbox("e.csv", Fixture.csv("id,assigned_to", ids.stream().map(i -> i + "," + Fixture.BOB).toList()));
            Map<String, String> env = Map.of("CLOSE_BASE_URL", f.emulator.baseUrl(), "CLOSE_API_KEY", Fixture.KEY,
                    "CLOSE_BATCH_SIZE", "1", "BULK_FILTER_IS_COMPLETE", "false");
            Result r = run(env, "--once");
            assertEquals(0, r.code(), r.output());
            assertEquals(3, f.emulator.requests("PUT /task/").size(), "close.batch-size from CLOSE_BATCH_SIZE");
            for (var read : f.emulator.requests("GET /task/")) {
                assertEquals("false", read.json().get("_params").get("is_complete").asText(),
                        "bulk.filter.is_complete from BULK_FILTER_IS_COMPLETE: " + read.json());
            }
            // --demo points the bundle at its own emulator and folders, whatever the environment and -D say
            int before = f.emulator.requests().size();
            drop("complete-tasks.csv");
            Path home = home();
            Files.createDirectories(home.resolve("demo/inbox"));
            Files.copy(Path.of("examples/complete-tasks.csv"), home.resolve("demo/inbox/complete-tasks.csv"));
            Map<String, String> demoEnv = new java.util.HashMap<>(env);
            demoEnv.put("BULK_INBOX", dir.resolve("inbox").toString());
            Result demo = runIn(home, demoEnv, "--demo", "--once");
            assertEquals(0, demo.code(), demo.output());
            assertEquals(before, f.emulator.requests().size(), demo.output());
            assertTrue(Files.exists(home.resolve("demo/done/complete-tasks.csv")), demo.output());
            assertTrue(Files.exists(dir.resolve("inbox/complete-tasks.csv")), "the configured inbox is left alone");
        }
    }

    @Test
    void aSecondProcessOnTheSameStateFolderIsRefusedWhileTheFirstRuns() throws Exception {
        try (Fixture f = new Fixture()) {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dbulk.inbox=" + dir.resolve("inbox"), "-Dbulk.state=" + dir.resolve("state"),
                    "-Dbulk.reports=" + dir.resolve("reports"), "-Dcamel.management.port=" + Fixture.freePort(),
                    "-Dcamel.server.port=" + Fixture.freePort(), "-jar",
                    Path.of("target/close-task-bulk.jar").toAbsolutePath().toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("first.log").toFile());
            pb.environment().put("CLOSE_BASE_URL", f.emulator.baseUrl());
            pb.environment().put("CLOSE_API_KEY", Fixture.KEY);
            Process first = pb.start();
            try {
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() ->
                        Files.readString(dir.resolve("first.log")).contains("ready:"));
                Result second = run(Map.of("CLOSE_BASE_URL", f.emulator.baseUrl(), "CLOSE_API_KEY", Fixture.KEY), "--once");
                assertEquals(2, second.code(), second.output());
                String line = second.output().strip();
                assertTrue(line.startsWith("error: bulk.state=") && line.contains("is in use by another process (pid "
                        + first.pid()), line);
                assertEquals(1, line.lines().count(), line);
                assertEquals(0, cliFiles(first.pid()), "no camel CLI connector outside --demo");
            } finally {
                first.destroy();
                assertTrue(first.waitFor(30, TimeUnit.SECONDS));
            }
            // the lock dies with its holder: the folder is free again
            Result after = run(Map.of("CLOSE_BASE_URL", f.emulator.baseUrl(), "CLOSE_API_KEY", Fixture.KEY), "--once");
            assertEquals(0, after.code(), after.output());
        }
    }

    @Test
    void theDemoServesTheConsoleFromTheJarAndCamelsDevConsoles() throws Exception {
        int console = Fixture.freePort();
        int management = Fixture.freePort();
        Path home = home();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dcamel.server.port=" + console, "-Dcamel.management.port=" + management, "-jar",
                Path.of("target/close-task-bulk.jar").toAbsolutePath().toString(), "--demo"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("demo.log").toFile())
                .directory(home.toFile());
        Process demo = pb.start();
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() ->
                    Files.readString(dir.resolve("demo.log")).contains("ready:"));
            assertTrue(Files.readString(dir.resolve("demo.log")).contains("The console: http://127.0.0.1:" + console + "/"));
            var http = java.net.http.HttpClient.newHttpClient();
            for (String path : List.of("/", "/assets/app.js", "/assets/style.css")) {
                var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + console + path))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), path);
                assertFalse(r.body().isBlank(), path);
            }
            var dev = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + management
                    + "/q/dev/route")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, dev.statusCode());
            assertTrue(dev.body().contains("csv-intake"), dev.body());
            // the consoles show no secret in any form, and do nothing: no send, no route stopped by a GET
            for (String path : List.of("/q/dev/properties", "/q/dev/all")) {
                for (String accept : List.of("application/json", "text/plain")) {
                    var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                            + management + path)).header("Accept", accept).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, r.statusCode(), path);
                    assertFalse(r.body().contains("demo-key"), path + " " + accept + " shows the key");
                }
            }
            Path sent = dir.resolve("sent.txt");
            var send = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + management
                    + "/q/dev/send?body=x&endpoint=" + java.net.URLEncoder.encode("file:" + dir + "?fileName=sent.txt",
                    StandardCharsets.UTF_8))).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertFalse(Files.exists(sent), send.body());
            var stop = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + management
                    + "/q/dev/route?action=stop")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(403, stop.statusCode(), stop.body());
            assertTrue(Files.readString(dir.resolve("demo.log")).contains("the console at http://127.0.0.1:" + console + "/"));
            // the camel CLI's connector (camel get, camel trace) announces the demo in ~/.camel
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> cliFiles(demo.pid()) > 0);
            // a second demo in the same folder is refused by the state lock, as any second process is
            Result second = runIn(home, Map.of(), "--demo", "--once");
            assertEquals(2, second.code(), second.output());
            assertTrue(second.output().contains("is in use by another process (pid " + demo.pid()), second.output());
        } finally {
            demo.destroy();
            assertTrue(demo.waitFor(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void debugLogsNeverShowTheKey() throws Exception {
        try (Fixture f = new Fixture()) {
            List<String> ids = f.seed(2);
            inbox("d.csv", Fixture.csv("id,is_complete", ids.stream().map(i -> i + ",true").toList()));
            Result r = run(Map.of("CLOSE_BASE_URL", f.emulator.baseUrl(), "CLOSE_API_KEY", Fixture.KEY,
                    "LOG_REQUESTS", "DEBUG", "LOG_HTTP", "DEBUG"), "--once");
            assertEquals(0, r.code(), r.output());
            // the test can fail: the request log and HttpClient's header log are on, and show the header masked
            assertTrue(r.output().contains("PUT " + f.emulator.baseUrl() + "/task/"), r.output());
            assertTrue(r.output().contains("Authorization: Basic ****"), r.output());
            String basic = java.util.Base64.getEncoder().encodeToString((Fixture.KEY + ":").getBytes(StandardCharsets.UTF_8));
            for (String secret : List.of(Fixture.KEY, basic, basic.substring(0, 16))) {
                assertFalse(r.output().contains(secret), "the key (" + secret.length() + " chars) in the output");
                try (var all = Files.walk(dir)) {
                    for (Path p : all.filter(Files::isRegularFile).toList()) {
                        assertFalse(Files.readString(p, StandardCharsets.UTF_8).contains(secret), p.toString());
                    }
                }
            }
        }
    }

    @Test
    void theKeyIsMaskedFromAnyFolderAtDebug() throws Exception {
        Path home = home();
        try (Fixture f = new Fixture()) {
            List<String> ids = f.seed(2);
            Files.createDirectories(dir.resolve("inbox"));
            Files.writeString(dir.resolve("inbox/e.csv"), Fixture.csv("id,is_complete",
                    ids.stream().map(i -> i + ",true").toList()));
            Result r = runIn(home, Map.of("CLOSE_BASE_URL", f.emulator.baseUrl(), "CLOSE_API_KEY", Fixture.KEY,
                    "LOG_REQUESTS", "DEBUG", "LOG_HTTP", "DEBUG"), "--once");
            assertEquals(0, r.code(), r.output());
            assertTrue(r.output().contains("Authorization: Basic ****"), r.output());
            String basic = java.util.Base64.getEncoder().encodeToString((Fixture.KEY + ":").getBytes(StandardCharsets.UTF_8));
            for (String secret : List.of(Fixture.KEY, basic, basic.substring(0, 16))) {
                assertFalse(r.output().contains(secret), "the key (" + secret.length() + " chars) in the output");
            }
        }
    }
}
