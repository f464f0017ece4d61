package closetaskbulk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A run missed while the bundle was down runs once at start-up, when the sweep says so. */
class SweepCatchUpTest {

    private final Fixture f = new Fixture();

    @AfterEach
    void close() {
        f.close();
    }

    private void sweep(String id, String user, String runMissed) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("enabled", "true");
        v.put("cron", "0 0 2 * * ?");
        v.put("time-zone", "UTC");
        v.put("filter", "is_complete=false&assigned_to=" + user);
        v.put("is-complete", "true");
        f.addSweep(id, v);
        if (runMissed != null) {
            f.set("sweep." + id + ".run-missed", runMissed);
        }
    }

    @Test
    void missedRunsRunOnceAtStartUp() throws Exception {
        String carol = "user_Carol000000000000000000000000000000003";
        f.emulator.store().addUser(carol);
        List<String> ids = f.seed(3); // Alice's
        sweep("missed", Fixture.ALICE, null);
        sweep("uptodate", Fixture.BOB, null);
        sweep("nocatchup", carol, "false");
        Path state = f.dir.resolve("state");
        Files.createDirectories(state);
        Instant now = Instant.now();
        Files.writeString(state.resolve("sweeps.properties"), "missed=" + now.minus(Duration.ofDays(3))
                + "\nuptodate=" + now + "\nnocatchup=" + now.minus(Duration.ofDays(3)) + "\n");
        f.set("camel.main.duration-max-seconds", "4");

        f.run();

        assertEquals(1, f.count("PUT /task/"), "only the missed sweep ran");
        for (String id : ids) {
            assertTrue(f.emulator.store().get(id).get("is_complete").asBoolean());
        }
        assertEquals(1, f.emulator.requests(r -> r.body().contains(Fixture.ALICE) && r.body().contains("_skip")).size());
        assertFalse(f.emulator.requests().stream().anyMatch(r -> r.body().contains("user_Carol")));
        Properties p = new Properties();
        p.load(Files.newBufferedReader(state.resolve("sweeps.properties")));
        assertTrue(Instant.parse(p.getProperty("missed")).isAfter(now.minusSeconds(1)), "the run is recorded");
    }

    @Test
    void aDryRunDoesNotHideAMissedRealRun() throws Exception {
        List<String> ids = f.seed(2);
        sweep("missed", Fixture.ALICE, null);
        Path state = f.dir.resolve("state");
        Files.createDirectories(state);
        String threeDaysAgo = "missed=" + Instant.now().minus(Duration.ofDays(3)) + "\n";
        Files.writeString(state.resolve("sweeps.properties"), threeDaysAgo);
        assertEquals(0, f.run("--sweep", "missed", "--dry-run"), f.output);
        assertEquals(0, f.count("PUT /task/"));
        assertEquals(threeDaysAgo, Files.readAllLines(state.resolve("sweeps.properties")).stream()
                .filter(l -> l.startsWith("missed=")).findFirst().orElse("") + "\n", "a dry run is not the last run");

        f.set("camel.main.duration-max-seconds", "4");
        f.run();
        assertEquals(1, f.count("PUT /task/"), "the missed real run is caught up");
        assertTrue(f.emulator.store().get(ids.get(0)).get("is_complete").asBoolean());
    }

    /** A sweep whose values are all in its YAML file: checked, caught up and listed as one from settings. */
    private Path yamlOnlySweep(String id, String filter) throws Exception {
        Path folder = f.dir.resolve("my-sweeps");
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
                        value: "0 30 7 ? * MON-FRI"
                      - name: timeZone
                        value: America/New_York
                      - name: filter
                        value: "%2$s"
                      - name: isComplete
                        value: "true"
                """.formatted(id, filter));
        f.set("camel.main.routes-include-pattern", "file:routes/*.camel.yaml,file:routes/sweeps/*.camel.yaml,file:"
                + folder + "/*.camel.yaml");
        return folder;
    }

    @Test
    void aSweepWrittenOnlyInYamlIsCaughtUpAndChecked() throws Exception {
        List<String> ids = f.seed(2);
        yamlOnlySweep("inline", "is_complete=false&assigned_to=" + Fixture.ALICE);
        Path state = f.dir.resolve("state");
        Files.createDirectories(state);
        Files.writeString(state.resolve("sweeps.properties"), "inline=" + Instant.now().minus(Duration.ofDays(5)) + "\n");
        f.set("camel.main.duration-max-seconds", "4");
        f.run();
        assertEquals(1, f.count("PUT /task/"), f.output);
        for (String id : ids) {
            assertTrue(f.emulator.store().get(id).get("is_complete").asBoolean());
        }
    }

    @Test
    void aSweepFilterCloseDoesNotDocumentIsRefusedNamingTheOneMeant() throws Exception {
        yamlOnlySweep("typo", "is_complete=false&asigned_to=" + Fixture.ALICE);
        f.set("camel.main.duration-max-seconds", "10");
        assertEquals(2, f.run(), f.output);
        assertTrue(f.output.contains("'asigned_to' is not a Close task filter (did you mean assigned_to?)"), f.output);
        assertEquals(0, f.count("PUT /task/"));
    }
}
