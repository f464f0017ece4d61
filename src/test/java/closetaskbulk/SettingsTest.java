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
    void extraColumnsIsCarryOrReject() {
        f.set("bulk.extra-columns", "keep");
        assertRefused("bulk.extra-columns=keep must be carry");
    }

    @Test
    void aNotifyUrlIsHttpsOrLoopbackAndNeverShown() {
        f.set("bulk.notify.url", "http://hooks.example.com/services/T1/B2/topSecret");
        assertRefused("bulk.notify.url uses plain http://");
        assertFalse(f.output.contains("topSecret") || f.output.contains("hooks.example.com"), f.output);
        f.set("bulk.notify.url", "hooks.example.com/services/T1/B2/topSecret");
        assertRefused("bulk.notify.url is not an https:// URL");
        assertFalse(f.output.contains("topSecret"), f.output);
        f.set("bulk.notify.url", "https://hooks.example.com/x").set("bulk.notify.on", "sometimes");
        assertRefused("bulk.notify.on=sometimes must be failure");
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
    void aFolderLeftEmptyIsNamedAndANumberLeftEmptyTakesItsDefault() {
        f.set("bulk.state", "");
        assertRefused("bulk.state is empty");
        f.set("bulk.state", f.dir.resolve("state").toString()).set("close.max-requests-per-second", "")
                .set("close.rate-limit.share", "");
        assertEquals(0, f.run("--once"), f.output);
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

    /** The settings as Camel resolves them from the shipped file, with these overrides (the command line's). */
    private static Settings camelSettings(Map<String, String> overrides) {
        var ctx = new org.apache.camel.impl.DefaultCamelContext();
        ctx.getPropertiesComponent().setLocation("file:config/application.properties");
        Properties p = new Properties();
        p.putAll(overrides);
        ctx.getPropertiesComponent().setOverrideProperties(p);
        OverridesInOrder.install(ctx.getPropertiesComponent());
        return Settings.of(ctx);
    }

    // The environment's turn (CLOSE_BATCH_SIZE, BULK_FILTER_IS_COMPLETE) is JarIT's: a process's environment
    // cannot be set from inside it.
    @Test
    void precedenceFileThenSystemThenCommandLine() {
        assertEquals("100", camelSettings(Map.of()).get("close.batch-size"));
        assertEquals("https://api.close.com/api/v1", camelSettings(Map.of()).get("close.base-url"));
        assertEquals(System.getenv().getOrDefault("CLOSE_API_KEY", ""), camelSettings(Map.of()).get("close.api-key"),
                "{{env:CLOSE_API_KEY:}} resolved");
        System.setProperty("close.batch-size", "8");
        System.setProperty("console.upload-max-bytes", "1000");
        System.setProperty("bulk.filter.is_complete", "false");
        try {
            assertEquals("8", camelSettings(Map.of()).get("close.batch-size"));
            assertEquals("9", camelSettings(Map.of("close.batch-size", "9")).get("close.batch-size"));
            assertEquals("1000", camelSettings(Map.of()).get("console.upload-max-bytes"));
            assertEquals(Map.of("is_complete", "false"), camelSettings(Map.of()).withPrefix("bulk.filter."));
        } finally {
            System.clearProperty("close.batch-size");
            System.clearProperty("console.upload-max-bytes");
            System.clearProperty("bulk.filter.is_complete");
        }
    }

    @Test
    void aMisspeltSystemPropertyIsNamedToo() {
        System.setProperty("bulk.dryrun", "true");
        try {
            assertRefused("unknown setting bulk.dryrun");
        } finally {
            System.clearProperty("bulk.dryrun");
        }
    }

    @Test
    void theClusterProfileNeedsAPostgresUrlAndRunsAsAService() {
        f.set("camel.main.profile", "cluster");
        f.set("cluster.db.url", ""); // as if CLOSE_DB_URL were not exported (CI exports it for ClusterIT)
        assertRefused("CLOSE_DB_URL");
        f.set("cluster.db.url", "jdbc:mysql://127.0.0.1/ctb");
        assertRefused("cluster.db.url");
        f.set("cluster.db.url", "jdbc:postgresql://127.0.0.1:1/ctb");
        assertRefused("--once");
        f.set("camel.main.profile", "clustr");
        assertRefused("camel.main.profile=clustr");
    }

    @Test
    void aBooleanThatIsNotTrueOrFalse() {
        f.set("bulk.dry-run", "yes");
        assertRefused("bulk.dry-run");
    }

    @Test
    void aSweepSwitchThatIsNotTrueOrFalse() {
        java.util.Map<String, String> v = new java.util.LinkedHashMap<>();
        v.put("enabled", "on");
        v.put("cron", "0 0 6 * * ?");
        v.put("filter", "is_complete=false");
        v.put("is-complete", "true");
        f.addSweep("night", v);
        assertRefused("sweep.night.enabled");
    }

    @Test
    void aDurationThatIsNotMilliseconds() {
        f.set("close.response-timeout", "60s");
        assertRefused("close.response-timeout");
    }

    @Test
    void aNegativeRetryCount() {
        f.set("close.retry.max-attempts", "-1");
        assertRefused("close.retry.max-attempts");
    }

    @Test
    void noOpenBatches() {
        f.set("bulk.max-open-batches", "0");
        assertRefused("bulk.max-open-batches");
    }

    @Test
    void aNumberThatIsNotANumber() {
        f.set("close.max-requests-per-second", "fast");
        assertRefused("close.max-requests-per-second");
    }

    @Test
    void aMisspeltSettingIsNamedAsUnknown() {
        f.set("close.batchsize", "50");
        assertRefused("unknown setting close.batchsize");
        assertTrue(f.output.contains("close.batch-size"), "suggests the right name: " + f.output);
    }

    @Test
    void loopbackMeansALoopbackAddressNotANameThatStartsLikeOne() {
        f.set("close.base-url", "http://127.0.0.1.nip.io/api/v1");
        assertRefused("close.base-url");
        assertTrue(Settings.isLoopback("127.0.0.1") && Settings.isLoopback("127.3.2.1") && Settings.isLoopback("[::1]")
                && Settings.isLoopback("localhost"));
        assertFalse(Settings.isLoopback("127.0.0.1.example.com") || Settings.isLoopback("127.evil"));
    }

    @Test
    void aStateFolderInUseByAnotherProcessIsRefused() throws Exception {
        Path state = Path.of(f.settings.get("bulk.state"));
        Files.createDirectories(state);
        try (var ch = java.nio.channels.FileChannel.open(state.resolve("bulk.lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
             var lock = ch.lock()) {
            assertRefused("bulk.state");
            assertTrue(f.output.contains("in use by another process"), f.output);
        }
        assertEquals(0, f.run("--once"), "free again once its holder is gone: " + f.output);
    }

    @Test
    void aBusyManagementPortIsOneLine() throws Exception {
        try (var busy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            f.set("camel.management.port", String.valueOf(busy.getLocalPort()));
            assertEquals(2, f.run(), f.output); // a service: refused before it starts
            String out = f.output.strip();
            assertFalse(out.contains("\n") || out.contains("Exception"), out);
            assertTrue(out.startsWith("error: camel.management.port=" + busy.getLocalPort()) && out.contains("in use"), out);
        }
    }
}
