package closetaskbulk.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import closetaskbulk.Fixture;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The integration engineer's loop (docs/ENGINEERS.md) on the built jar: own routes, saves, the password. */
class EngineerLoopIT {

    static final String PASSWORD = "loop-password-4711";
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;
    final int console = Fixture.freePort();
    final int management = Fixture.freePort();

    /** config/ and routes/ copied, with the example HTTP route added to routes/. */
    Path home() throws Exception {
        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve("config"));
        Files.copy(Path.of("config/application.properties"), home.resolve("config/application.properties"));
        try (var routes = Files.walk(Path.of("routes"))) {
            for (Path p : routes.toList()) {
                if (Files.isDirectory(p)) {
                    Files.createDirectories(home.resolve(p.toString()));
                } else {
                    Files.copy(p, home.resolve(p.toString()));
                }
            }
        }
        Files.copy(Path.of("examples/http/complete-over-http.camel.yaml"), home.resolve("routes/complete-over-http.camel.yaml"));
        return home;
    }

    ProcessBuilder jar(Path home, Fixture f, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dbulk.inbox=" + dir.resolve("inbox"), "-Dbulk.done=" + dir.resolve("done"),
                "-Dbulk.failed=" + dir.resolve("failed"), "-Dbulk.reports=" + dir.resolve("reports"),
                "-Dbulk.state=" + dir.resolve("state"), "-Dbulk.read-lock-min-age=0", "-Dbulk.routes-reload=true", "-Dclose.batch-size=50",
                "-Dcamel.server.port=" + console, "-Dcamel.management.port=" + management,
                "-jar", Path.of("target/close-task-bulk.jar").toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(home.toFile())
                .redirectOutput(dir.resolve("jar.log").toFile());
        pb.environment().putAll(Map.of("CLOSE_BASE_URL", f.emulator.baseUrl(), "CLOSE_API_KEY", Fixture.KEY,
                "CONSOLE_PASSWORD", PASSWORD));
        return pb;
    }

    static HttpResponse<String> send(int port, String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String basic() {
        return "Basic " + Base64.getEncoder().encodeToString(("script:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    /** Items 1, 2, 4 and 6 of issue 24 on one running service. */
    @Test
    void ownRouteBehindThePasswordAndABadSaveWhileRunning() throws Exception {
        Path home = home();
        try (Fixture f = new Fixture()) {
            Process p = jar(home, f).start();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(dir.resolve("jar.log")).contains("ready:"));
                List<String> ids = f.seed(3);
                // the engineer's route: 401 without the password, 200 with it, no request header echoed
                assertEquals(401, send(console, "POST", "/api/complete", ids.get(0)).statusCode());
                var ok = send(console, "POST", "/api/complete", ids.get(0) + "\n", "Authorization", basic(),
                        "X-Request-Note", "private-note-4711");
                assertEquals(200, ok.statusCode(), ok.body());
                assertFalse(ok.headers().toString().contains("private-note-4711"), ok.headers().toString());
                assertFalse(ok.headers().map().containsKey("authorization"), ok.headers().toString());
                // an empty Kamelet message: a 4xx with the reason
                var empty = send(console, "POST", "/api/complete", " \n", "Authorization", basic());
                assertEquals(400, empty.statusCode(), empty.body());
                assertTrue(empty.body().contains("holds no task ids"), empty.body());

                // a save that cannot run: the console answers, files run, health DOWN until a good save
                Path errors = home.resolve("routes/errors.camel.yaml");
                String good = Files.readString(errors);
                Files.writeString(errors, good + "- route:\n    id: broken\n    from:\n      uri: direct:broken\n"
                        + "      steps:\n        - bean:\n            ref: noSuchBean\n");
                await().atMost(Duration.ofSeconds(30)).until(() -> send(management, "GET", "/observe/health", null).statusCode() == 503);
                await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(dir.resolve("jar.log")).contains("noSuchBean"));
                assertEquals(200, send(console, "GET", "/", null, "Authorization", basic()).statusCode());
                Files.createDirectories(dir.resolve("inbox"));
                Files.writeString(dir.resolve("inbox/while-broken.csv"), Fixture.csv("id,is_complete", List.of(ids.get(1) + ",true")));
                await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(dir.resolve("done/while-broken.csv")));
                assertTrue(f.emulator.store().get(ids.get(1)).path("is_complete").asBoolean());
                assertEquals(503, send(management, "GET", "/observe/health", null).statusCode());
                Files.writeString(errors, good + "\n# fixed\n");
                await().atMost(Duration.ofSeconds(30)).until(() -> send(management, "GET", "/observe/health", null).statusCode() == 200);

                // a save mid-run waits for the run's end: every row UPDATED once, the file processed once
                List<String> many = f.seed(3000);
                f.emulator.faults().latency(60, 0);
                int before = f.count("PUT /task/");
                Files.writeString(dir.resolve("inbox/big.csv"), Fixture.csv("id,is_complete",
                        many.stream().map(i -> i + ",true").toList()));
                await().atMost(Duration.ofSeconds(30)).until(() -> f.count("PUT /task/") >= before + 3);
                Path run = home.resolve("routes/run.camel.yaml");
                Files.writeString(run, Files.readString(run) + "\n# saved during the run\n");
                assertTrue(f.count("PUT /task/") < before + 30, "the run was over before the save: make it slower");
                await().atMost(Duration.ofSeconds(120)).until(() -> Files.exists(dir.resolve("done/big.csv")));
                List<String> rows = Files.readAllLines(dir.resolve("reports/big.results.csv"));
                assertEquals(3000, rows.stream().filter(l -> l.contains(",UPDATED,")).count());
                assertEquals(3000 / 50, f.count("PUT /task/") - before, "one write per batch, none twice");
                await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(dir.resolve("jar.log")).lines()
                        .anyMatch(l -> l.contains("routes reloaded after a change to") && l.contains("run.camel.yaml")));
                assertFalse(Files.readString(dir.resolve("jar.log")).contains(PASSWORD));
            } finally {
                p.destroy();
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            }
        }
    }

    /** Item 3: an engineer's HTTP route in routes/ does not keep --once from finishing. */
    @Test
    void anHttpRouteInRoutesLetsOnceFinish() throws Exception {
        try (Fixture f = new Fixture()) {
            Process p = jar(home(), f, "--once").start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), Files.readString(dir.resolve("jar.log")));
            assertEquals(0, p.exitValue(), Files.readString(dir.resolve("jar.log")));
        }
    }

    /** Item 5: a sweep whose values are all in its YAML file catches up a missed run at start. */
    @Test
    void aYamlOnlySweepCatchesUpAtStart() throws Exception {
        Path home = home();
        try (Fixture f = new Fixture()) {
            List<String> ids = f.seed(3);
            Files.writeString(home.resolve("routes/sweeps/inline.camel.yaml"), """
                    - templatedRoute:
                        routeTemplateRef: sweep
                        routeId: sweep-inline
                        parameters:
                          - {name: sweepId, value: inline}
                          - {name: enabled, value: "true"}
                          - {name: cron, value: "0 0 2 * * ?"}
                          - {name: timeZone, value: UTC}
                          - {name: filter, value: "is_complete=false&assigned_to=%s"}
                          - {name: isComplete, value: "true"}
                    """.formatted(Fixture.ALICE));
            Files.createDirectories(dir.resolve("state"));
            Files.writeString(dir.resolve("state/sweeps.properties"),
                    "inline=" + java.time.Instant.now().minus(Duration.ofDays(3)) + "\n");
            Process p = jar(home, f).start();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        ids.stream().allMatch(i -> f.emulator.store().get(i).path("is_complete").asBoolean()));
                assertEquals(1, f.count("PUT /task/"), Files.readString(dir.resolve("jar.log")));
            } finally {
                p.destroy();
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            }
        }
    }
}
