package closetaskbulk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Settings are checked at start: a user mistake exits 2 with one line naming the setting. */
class SettingsTest {

    private final Fixture f = new Fixture();

    @AfterEach
    void close() {
        f.close();
    }

    private void assertRefused(String settingNamed) {
        assertEquals(2, f.run("--once"), f.output);
        String out = f.output.strip();
        assertFalse(out.contains("\n"), "one line: " + out);
        assertTrue(out.startsWith("error: ") && out.contains(settingNamed), out);
        assertFalse(out.contains("Exception"), out);
        assertEquals(0, f.emulator.requests().size());
    }

    @Test
    void missingApiKey() {
        f.settings.remove("close.api-key");
        assertRefused("CLOSE_API_KEY");
    }

    @Test
    void batchSizeOutOfRange() {
        for (String bad : new String[] {"0", "1000", "many"}) {
            f.set("close.batch-size", bad);
            assertRefused("close.batch-size");
        }
    }

    @Test
    void rateLimitShareOutOfRange() {
        for (String bad : new String[] {"0", "1.5", "-0.5", "half", "NaN"}) {
            f.set("close.rate-limit.share", bad);
            assertRefused("close.rate-limit.share");
        }
    }

    @Test
    void plainHttpOnlyToLoopback() {
        f.set("close.base-url", "http://api.close.com/api/v1");
        assertRefused("close.base-url");
        f.set("close.base-url", "ftp://127.0.0.1/api/v1");
        assertRefused("close.base-url");
    }

    @Test
    void inboxThatCannotBeCreated() throws Exception {
        Path file = Files.writeString(f.dir.resolve("a-file"), "x");
        f.set("bulk.inbox", file.resolve("inbox").toString());
        assertRefused("bulk.inbox");
    }

    @Test
    void unknownIntakeFilter() {
        f.set("bulk.filter.colour", "red");
        assertRefused("bulk.filter.colour");
        f.settings.remove("bulk.filter.colour");
        f.set("bulk.filter.id__in", "task_A");
        assertRefused("bulk.filter.id__in");
    }

    @Test
    void flags() {
        assertEquals(0, f.run("--help"));
        assertTrue(f.output.contains("--once") && f.output.contains("--dry-run") && f.output.contains("--demo"));
        assertEquals(2, f.run("--frobnicate"));
        assertTrue(f.output.startsWith("error: unknown option --frobnicate"));
        assertEquals(2, f.run("--sweep"));
    }

    @Test
    void precedenceFileThenEnvironmentThenSystemThenCommandLine() {
        Path file = Path.of("config/application.properties");
        Properties sys = new Properties();
        Settings s = Settings.load(file, Map.of("CLOSE_BATCH_SIZE", "7", "CLOSE_API_KEY", "k1"), sys, Map.of());
        assertEquals("7", s.get("close.batch-size"));
        assertEquals("k1", s.get("close.api-key"), "{{env:CLOSE_API_KEY:}} resolved");
        assertEquals("https://api.close.com/api/v1", s.get("close.base-url"));
        sys.setProperty("close.batch-size", "8");
        assertEquals("8", Settings.load(file, Map.of("CLOSE_BATCH_SIZE", "7"), sys, Map.of()).get("close.batch-size"));
        assertEquals("9", Settings.load(file, Map.of("CLOSE_BATCH_SIZE", "7"), sys,
                Map.of("close.batch-size", "9")).get("close.batch-size"));
        assertEquals("", Settings.load(file, Map.of(), new Properties(), Map.of()).get("close.api-key"));
    }

    @Test
    void theClusterProfileNeedsAPostgresUrlAndRunsAsAService() {
        f.set("camel.main.profile", "cluster");
        assertRefused("CLOSE_DB_URL"); // from the environment, which is empty here
        f.set("cluster.db.url", "jdbc:mysql://127.0.0.1/ctb");
        assertRefused("cluster.db.url");
        f.set("cluster.db.url", "jdbc:postgresql://127.0.0.1:1/ctb");
        assertRefused("--once");
        f.set("camel.main.profile", "clustr");
        assertRefused("camel.main.profile=clustr");
    }
}
