package closetaskbulk.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import closetaskbulk.Fixture;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The distribution as a user gets it: target/close-task-bulk-<version>.tar.gz unpacked into a temporary folder
 * far from the clone, run with bin/close-task-bulk from other folders again.
 */
class DistributionIT {

    @TempDir
    static Path unpacked;
    static Path home;

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    @BeforeAll
    static void unpack() throws Exception {
        Path archive;
        try (var files = Files.list(Path.of("target"))) {
            archive = files.filter(p -> p.getFileName().toString().matches("close-task-bulk-.*\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new AssertionError("no target/close-task-bulk-<version>.tar.gz: mvn package makes it"));
        }
        Process tar = new ProcessBuilder("tar", "xzf", archive.toAbsolutePath().toString()).directory(unpacked.toFile())
                .inheritIO().start();
        assertEquals(0, tar.waitFor());
        try (var dirs = Files.list(unpacked)) {
            home = dirs.findFirst().orElseThrow();
        }
        for (String path : List.of("bin/close-task-bulk", "bin/close-task-bulk.cmd", "lib/close-task-bulk.jar",
                "config/application.properties", "routes/run.camel.yaml", "kamelets", "examples/complete-tasks.csv",
                "README")) {
            assertTrue(Files.exists(home.resolve(path)), path);
        }
        assertTrue(Files.isExecutable(home.resolve("bin/close-task-bulk")));
    }

    /** A run of bin/close-task-bulk in {@code workDir}, with java from this JVM's home and no key or config named. */
    static ProcessBuilder launcher(Path workDir, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/close-task-bulk").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("CLOSE_") || k.startsWith("BULK_") || k.startsWith("JAVA_OPTS")
                || k.equals("JDK_JAVA_OPTIONS"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().putAll(env);
        return pb;
    }

    static Result run(Path workDir, Map<String, String> env, String... args) throws Exception {
        Path out = Files.createTempFile(workDir.getParent(), "out", ".log");
        Path err = Files.createTempFile(workDir.getParent(), "err", ".log");
        Process p = launcher(workDir, env, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "still running: " + String.join(" ", args));
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static Path folder(Path parent, String name) throws IOException {
        return Files.createDirectories(parent.resolve(name));
    }

    @Test
    void theDemoRunsFromAnyFolderAndTheArchiveIsReused() throws Exception {
        Path work = folder(dir, "work");
        // the archive's README's own first command: mkdir -p <inbox> && cp <this folder>/examples/<file> <inbox>/
        Matcher step = Pattern.compile("mkdir -p (\\S+) && cp <this folder>/(examples/\\S+) (\\S+)/")
                .matcher(Files.readString(home.resolve("README")));
        assertTrue(step.find(), "the README's demo step");
        assertEquals(step.group(1), step.group(3));
        Path example = home.resolve(step.group(2));
        Files.createDirectories(work.resolve(step.group(1)));
        Files.copy(example, work.resolve(step.group(1)).resolve(example.getFileName()));
        Result first = run(work, Map.of(), "--demo", "--once");
        assertEquals(0, first.code(), first.out() + first.err());
        assertEquals("", first.err(), "nothing on stderr at start (no SLF4J warning, no CDS warning)");
        // the demo names where its reports are (the banner's "Reports appear in <folder>")
        Matcher m = Pattern.compile("Reports appear in (\\S+?)[;.]?\\s").matcher(first.out());
        assertTrue(m.find(), first.out());
        Path reports = work.resolve(m.group(1));
        List<String> results = Files.readAllLines(reports.resolve("complete-tasks.results.csv"));
        assertEquals(16, results.size());
        assertTrue(results.stream().skip(1).allMatch(l -> l.contains(",UPDATED,")), results.toString());

        // the first run left a class data archive in the working folder's data/; the next run uses it as it is
        List<Path> archives = archives(work);
        assertEquals(1, archives.size(), archives.toString());
        long made = Files.getLastModifiedTime(archives.get(0)).toMillis();
        Result second = run(work, Map.of(), "--demo", "--once");
        assertEquals(0, second.code(), second.out() + second.err());
        assertEquals("", second.err());
        assertEquals(archives, archives(work));
        assertEquals(made, Files.getLastModifiedTime(archives.get(0)).toMillis());

        Result version = run(work, Map.of(), "--version");
        assertEquals(0, version.code());
        assertTrue(version.out().matches("close-task-bulk \\d+\\.\\d+\\.\\d+.*\\s*"), version.out());
        Result help = run(work, Map.of(), "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("close.batch-size = 100") && help.out().contains("ids per bulk call"), help.out());
    }

    static List<Path> archives(Path work) throws IOException {
        try (var files = Files.list(work.resolve("data"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jsa")).toList();
        }
    }

    @Test
    void theServiceAnswersHealthAndStopsCleanlyOnSigterm() throws Exception {
        Path work = folder(dir, "service");
        int management = Fixture.freePort();
        Path log = dir.resolve("service.log");
        Process service = launcher(work, Map.of("JAVA_OPTS", "-Dcamel.server.port=" + Fixture.freePort()
                + " -Dcamel.management.port=" + management), "--demo").redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> Files.readString(log).contains("ready:"));
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + management + "/observe/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());
            assertTrue(health.body().contains("UP"), health.body());
        } finally {
            service.destroy(); // SIGTERM
            assertTrue(service.waitFor(60, TimeUnit.SECONDS), Files.readString(log));
        }
        String out = Files.readString(log);
        // a JVM stopped by SIGTERM exits with 143 once its shutdown hooks are done (systemd: SuccessExitStatus=143)
        assertTrue(service.exitValue() == 143 || service.exitValue() == 0, service.exitValue() + "\n" + out);
        assertTrue(out.contains("c.Application - stopped"), out);
        assertFalse(out.contains("Exception") || out.contains(" ERROR ") || out.contains(" WARN "), out);
    }

    @Test
    void aConfigurationFolderNamedByOptionOrEnvironmentIsUsed() throws Exception {
        // a folder with its own config/ only: its settings, the installation's routes
        Path other = folder(dir, "other");
        Files.createDirectories(other.resolve("config"));
        String settings = Files.readString(home.resolve("config/application.properties"))
                .replace("bulk.reports=data/reports", "bulk.reports=other-reports");
        assertTrue(settings.contains("other-reports"));
        Files.writeString(other.resolve("config/application.properties"), settings);
        try (Fixture f = new Fixture()) {
            List<String> ids = f.seed(3);
            Map<String, String> close = Map.of("CLOSE_BASE_URL", f.emulator.baseUrl(), "CLOSE_API_KEY", Fixture.KEY,
                    "JAVA_OPTS", "-Dbulk.read-lock-min-age=0");
            Path work = folder(dir, "by-option");
            drop(work, "a.csv", ids.subList(0, 2));
            Result byOption = run(work, close, "--once", "--config", other.toString());
            assertEquals(0, byOption.code(), byOption.out() + byOption.err());
            assertTrue(Files.exists(work.resolve("other-reports/a.results.csv")), byOption.out());

            Path work2 = folder(dir, "by-environment");
            drop(work2, "b.csv", ids.subList(2, 3));
            Map<String, String> env = new java.util.HashMap<>(close);
            env.put("CLOSE_TASK_BULK_CONFIG", other.toString());
            Result byEnv = run(work2, env, "--once");
            assertEquals(0, byEnv.code(), byEnv.out() + byEnv.err());
            assertTrue(Files.exists(work2.resolve("other-reports/b.results.csv")), byEnv.out());
        }
        // a folder without config/: one line that says where it looked and how to point elsewhere
        Result misplaced = run(folder(dir, "empty"), Map.of(), "--once", "--config", dir.resolve("nowhere").toString());
        assertEquals(2, misplaced.code(), misplaced.out() + misplaced.err());
        String line = misplaced.out().strip();
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.contains(dir.resolve("nowhere").toString()) && line.contains("--config DIR")
                && line.contains("CLOSE_TASK_BULK_CONFIG"), line);
    }

    @Test
    void theServiceFilesFitTheDistribution() throws Exception {
        // the Containerfile's context is the unpacked distribution: every path it copies is there
        List<String> copied = Files.readAllLines(home.resolve("deploy/Containerfile")).stream()
                .filter(l -> l.startsWith("COPY ")).map(l -> l.split("\\s+")[1]).toList();
        assertEquals(5, copied.size(), copied.toString());
        for (String path : copied) {
            assertTrue(Files.exists(home.resolve(path)), path + " (COPY in deploy/Containerfile) is not in the archive");
        }
        // the systemd unit, with the installation where the unit expects it; systemd-analyze says nothing when it is right
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed");
        Path unit = dir.resolve("close-task-bulk.service");
        Files.writeString(unit, Files.readString(home.resolve("deploy/close-task-bulk.service"))
                .replace("/opt/close-task-bulk", home.toString()));
        Process verify = new ProcessBuilder(analyze.toString(), "verify", unit.toString()).redirectErrorStream(true).start();
        String said = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(verify.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, verify.exitValue(), said);
        assertEquals("", said.strip());
    }

    /**
     * bin/close-task-bulk.cmd cannot run here (no Windows): a static check that it starts the JVM as the POSIX
     * launcher does, and that cmd.exe can parse it (CRLF lines, balanced parentheses, labels, variables it sets).
     */
    @Test
    void theWindowsLauncherStartsTheJvmAsThePosixOneDoes() throws Exception {
        String sh = Files.readString(home.resolve("bin/close-task-bulk")).replaceAll("(?m)(^|\\s)#.*$", ""); // no comments
        byte[] raw = Files.readAllBytes(home.resolve("bin/close-task-bulk.cmd"));
        String cmd = new String(raw, StandardCharsets.UTF_8);
        assertTrue(cmd.endsWith("\r\n") && cmd.replace("\r\n", "").indexOf('\n') < 0, "cmd.exe wants CRLF lines");
        for (int b : raw) {
            assertTrue(b >= 0, "ASCII only: cmd.exe reads the file in the console's code page");
        }
        // the same JVM options for the same runs (the class data archive's are the POSIX launcher's alone)
        Matcher xx = Pattern.compile("-XX:[+-]?\\w+(=\\w+)?").matcher(sh);
        int options = 0;
        while (xx.find()) {
            if (!xx.group().contains("SharedArchiveFile") && !xx.group().contains("ArchiveClassesAtExit")) {
                assertTrue(cmd.contains(xx.group()), xx.group() + " is in bin/close-task-bulk, not in the .cmd");
                options++;
            }
        }
        assertTrue(options >= 2, sh);
        for (String both : List.of("--once", "--sweep", "--apply", "-Dclose-task-bulk.home=", "closetaskbulk.Application",
                "JAVA_OPTS", "JAVA_HOME", "-XX:+Use", "error: no java on PATH: install Java 17 or later, or set JAVA_HOME")) {
            assertTrue(sh.contains(both) && cmd.contains(both), both);
        }
        assertTrue(sh.contains("\"$home/lib/*\"") && cmd.contains("\"%CTB_HOME%\\lib\\*\""), "the class path: every jar in lib/");
        assertTrue(sh.contains("closetaskbulk.Application \"$@\"") && cmd.contains("closetaskbulk.Application %*"),
                "every argument passed on");
        assertTrue(cmd.contains("set \"CTB_HOME=%~dp0..\"") && cmd.contains("exit /b %ERRORLEVEL%"), "home from its own place; the JVM's exit code");
        // what cmd.exe needs to parse it: parentheses balanced outside quotes, every goto's label, every variable set
        int depth = 0;
        for (String line : cmd.split("\r\n")) {
            String bare = line.replaceAll("\"[^\"]*\"", "\"\"");
            if (bare.trim().toLowerCase(java.util.Locale.ROOT).startsWith("rem ")) {
                continue;
            }
            for (char c : bare.toCharArray()) {
                depth += c == '(' ? 1 : c == ')' ? -1 : 0;
                assertTrue(depth >= 0, line);
            }
        }
        assertEquals(0, depth, "unbalanced parentheses");
        Matcher go = Pattern.compile("goto (\\w+)").matcher(cmd);
        while (go.find()) {
            assertTrue(cmd.contains("\r\n:" + go.group(1) + "\r\n"), "no label :" + go.group(1));
        }
        Matcher var = Pattern.compile("%([A-Za-z_]+)%").matcher(cmd);
        while (var.find()) {
            String name = var.group(1);
            assertTrue(List.of("JAVA_HOME", "JAVA_OPTS", "JDK_JAVA_OPTIONS", "ERRORLEVEL").contains(name)
                    || cmd.contains("set \"" + name + "="), "%" + name + "% is never set");
        }
    }

    static void drop(Path work, String name, List<String> ids) throws IOException {
        Files.createDirectories(work.resolve("data/inbox"));
        Files.writeString(work.resolve("data/inbox").resolve(name), Fixture.csv("id,is_complete",
                ids.stream().map(i -> i + ",true").toList()), StandardCharsets.UTF_8);
    }
}
