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
        writeYamlOnlySweep(folder, id, filter);
        f.routesAlsoFrom(folder);
        return folder;
    }

    /** Writes {@code <folder>/<id>.camel.yaml}: on, weekdays 07:30 New York, completing what the filter matches. */
    static void writeYamlOnlySweep(Path folder, String id, String filter) throws java.io.IOException {
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

    @Test
    void aTypeCloseDoesNotHaveIsOneWarnAndARunThatMatchesNothingSaysSo() throws Exception {
        f.seed(2);
        yamlOnlySweep("calls", "_type=call&is_complete=false");
        assertEquals(0, f.runLogged("--sweep", "calls", "--dry-run"), f.output);
        List<String> lines = f.log;
        List<String> warns = lines.stream().filter(l -> l.startsWith("WARN") && l.contains("_type=call")).toList();
        assertEquals(1, warns.size(), lines.toString());
        assertTrue(warns.get(0).contains("is not one of Close's task types") && warns.get(0).contains("did you mean "
                + "answered_detached_call or missed_call or outgoing_call?"), warns.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("INFO") && l.contains("no task matches")
                && l.contains("nothing to plan")), lines.toString());
        assertEquals(0, f.count("PUT /task/"));
    }

    @Test
    void theReadmesSweepRecipeRunsAsWritten() throws Exception {
        List<String> ids = f.seed(3);
        for (int i = 0; i < 2; i++) { // two overdue missed calls; the third task is a lead, left alone
            var t = (com.fasterxml.jackson.databind.node.ObjectNode) f.emulator.store().get(ids.get(i));
            t.put("_type", "missed_call");
            t.put("date", "2026-01-05");
            f.emulator.store().put(t);
        }
        String readme = Files.readString(Path.of("README.md"));
        int at = readme.indexOf("`routes/sweeps/overdue-calls.camel.yaml`");
        assertTrue(at > 0, "the README's recipe");
        int start = readme.indexOf("```yaml\n", at) + "```yaml\n".length();
        String yaml = readme.substring(start, readme.indexOf("```", start));
        Path folder = Files.createDirectories(f.dir.resolve("my-sweeps"));
        Files.writeString(folder.resolve("overdue-calls.camel.yaml"), yaml);
        f.routesAlsoFrom(folder);
        java.time.ZoneId ny = java.time.ZoneId.of("America/New_York");
        String before = java.time.LocalDate.now(ny).plusDays(1).toString();
        assertEquals(0, f.run("--sweep", "overdue-calls"), f.output);
        String after = java.time.LocalDate.now(ny).plusDays(1).toString();
        assertEquals(1, f.count("PUT /task/"), f.output);
        for (int i = 0; i < 2; i++) { // moved to tomorrow, in the sweep's zone
            String date = f.emulator.store().get(ids.get(i)).get("date").asText();
            assertTrue(date.startsWith(before) || date.startsWith(after), date);
        }
        assertEquals("2026-12-01", f.emulator.store().get(ids.get(2)).get("date").asText(), "the lead is left alone");
    }
}
