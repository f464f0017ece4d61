package closetaskbulk;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import closetaskbulk.emulator.CloseEmulator.Recorded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sweeps run with --sweep, through the shipped template, against the emulator. */
class SweepTest {

    private final Fixture f = new Fixture();

    @AfterEach
    void close() {
        f.close();
    }

    private Map<String, String> reassign() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("cron", "0 0 6 * * ?");
        v.put("time-zone", "Europe/Berlin");
        v.put("filter", "is_complete=false&assigned_to=" + Fixture.ALICE);
        v.put("assigned-to", Fixture.BOB);
        return v;
    }

    private String reportName() {
        return f.files(f.reports).stream().filter(n -> n.endsWith(".summary.json")).findFirst().orElseThrow()
                .replace(".summary.json", "");
    }

    @Test
    void pagesThroughEveryMatchBeforeWritingSoNoneIsSkipped() {
        List<String> ids = f.seed(250);
        f.addSweep("move", reassign());
        assertEquals(0, f.run("--sweep", "move"), f.output);

        for (String id : ids) {
            assertEquals(Fixture.BOB, f.emulator.store().get(id).get("assigned_to").asText(), id);
        }
        List<Recorded> all = f.emulator.requests();
        List<Recorded> pages = all.subList(0, 3);
        for (int i = 0; i < 3; i++) {
            JsonNode p = pages.get(i).json().get("_params");
            assertEquals(i * 100, p.get("_skip").asInt());
            assertEquals(100, p.get("_limit").asInt());
            assertEquals("date_created", p.get("_order_by").asText());
            assertFalse(p.has("id__in"), "a page, not a batch read");
        }
        assertEquals(3 + 3 * 2, all.size(), "3 pages, then 3 batches of read + write");
        assertEquals(3, f.count("PUT /task/"));
        assertTrue(reportName().matches("sweep-move-\\d{8}-\\d{6}"), reportName());
        assertEquals(250, f.summary(reportName()).get("counts").get("UPDATED").asInt());
        assertEquals(250, f.results(reportName()).size());
    }

    @Test
    void overTheCapNothingIsSent() {
        f.seed(250);
        Map<String, String> v = reassign();
        v.put("max-tasks", "120");
        f.addSweep("move", v);
        assertEquals(1, f.run("--sweep", "move"), f.output);
        assertEquals(0, f.count("PUT /task/"));
        JsonNode s = f.summary(reportName());
        assertEquals("rejected", s.get("outcome").asText());
        assertTrue(s.get("reason").asText().contains("cap of 120"), s.toString());
        assertTrue(s.get("reason").asText().contains("at least 200"), s.toString());
    }

    @Test
    void aSweepMayNameItsAssigneeByEmail() {
        List<String> ids = f.seed(3);
        Map<String, String> v = reassign();
        v.put("assigned-to", "bob.smith@EXAMPLE.com");
        f.addSweep("move", v);
        assertEquals(0, f.run("--sweep", "move"), f.output);
        for (String id : ids) {
            assertEquals(Fixture.BOB, f.emulator.store().get(id).get("assigned_to").asText(), id);
        }
        assertEquals(1, f.count("GET /user/"));
    }

    @Test
    void dryRunListsAndReportsAndSendsNoWrite() {
        f.seed(5);
        f.addSweep("move", reassign());
        assertEquals(0, f.run("--sweep", "move", "--dry-run"), f.output + " (every row would be written: exit 0)");
        assertEquals(0, f.count("PUT /task/"));
        assertTrue(f.results(reportName()).stream().allMatch(r -> r.get("status").equals("DRY_RUN")));
    }

    @Test
    void a401DuringASweepHalts() {
        f.seed(5);
        f.addSweep("move", reassign());
        AtomicInteger calls = new AtomicInteger();
        f.emulator.onRequest(r -> {
            if (calls.incrementAndGet() == 1) {
                f.emulator.revokeKey(Fixture.KEY); // after the listing
            }
        });
        assertEquals(2, f.run("--sweep", "move"), f.output);
        assertEquals(2, f.emulator.requests().size());
        assertEquals(401, f.emulator.requests().get(1).status());
        assertEquals("halted", f.summary(reportName()).get("outcome").asText());
    }

    @Test
    void aSweepWithoutFilterOrUpdateIsRefusedAtStartUp() {
        Map<String, String> v = reassign();
        v.put("filter", "_type=all");
        f.addSweep("wide", v);
        assertEquals(2, f.run("--once"), f.output);
        assertTrue(f.output.contains("sweep wide has no filter"), f.output);

        Map<String, String> w = reassign();
        w.remove("assigned-to");
        Fixture g = new Fixture();
        try {
            g.addSweep("idle", w);
            assertEquals(2, g.run("--once"), g.output);
            assertTrue(g.output.contains("sweep idle has no update"), g.output);
        } finally {
            g.close();
        }
        assertEquals(0, f.emulator.requests().size());
    }

    @Test
    void anUnknownSweepIsNamed() {
        assertEquals(2, f.run("--sweep", "nope"), f.output);
        assertTrue(f.output.contains("no sweep named 'nope'") && f.output.contains("stale-followups"), f.output);
    }

    @Test
    void theShippedSweepsAreValidAndOff() {
        List<String> ids = new ArrayList<>(f.seed(2));
        assertEquals(0, f.run("--once"), f.output);
        assertEquals(0, f.emulator.requests().size(), "no sweep fires: both ship switched off");
        assertTrue(ids.size() == 2);
    }

    @Test
    void aFaultOnTheFirstListCallIsRetriedLikeAnyOtherCall() {
        List<String> ids = f.seed(5);
        f.addSweep("move", reassign());
        f.emulator.faults().failNext("GET /task/", 1, 503);
        assertEquals(0, f.run("--sweep", "move"), f.output);
        assertEquals(503, f.emulator.requests().get(0).status());
        for (String id : ids) {
            assertEquals(Fixture.BOB, f.emulator.store().get(id).get("assigned_to").asText(), id);
        }
        assertEquals(5, f.summary(reportName()).get("counts").get("UPDATED").asInt());
    }

    @Test
    void a429OnTheFirstListCallIsWaitedOut() {
        f.seed(3);
        f.addSweep("move", reassign());
        f.emulator.faults().failNext("GET /task/", 1, 429);
        assertEquals(0, f.run("--sweep", "move"), f.output);
        assertEquals(3, f.summary(reportName()).get("counts").get("UPDATED").asInt());
    }

    @Test
    void a401WhileListingHalts() {
        f.seed(5);
        f.addSweep("move", reassign());
        f.emulator.revokeKey(Fixture.KEY);
        assertEquals(2, f.run("--sweep", "move"), f.output);
        assertEquals(1, f.emulator.requests().size(), "one list call answered 401, then none");
        assertEquals("halted", f.summary(reportName()).get("outcome").asText());
    }

    @Test
    void aSweepFarFromUtcUpdatesWhatItListedAtADayBoundary() {
        // 22:00 on 1 December in New York is 03:00 on 2 December in UTC
        com.fasterxml.jackson.databind.node.ObjectNode t = Fixture.JSON.createObjectNode();
        t.put("id", "task_Evening").put("_type", "lead").put("assigned_to", Fixture.ALICE)
                .put("date", "2026-12-02T03:00:00+00:00").put("is_complete", false);
        f.emulator.store().put(t);
        Map<String, String> v = new LinkedHashMap<>();
        v.put("cron", "0 0 6 * * ?");
        v.put("time-zone", "America/New_York");
        v.put("filter", "is_complete=false&date__lt=2026-12-02");
        v.put("is-complete", "true");
        f.addSweep("evening", v);
        assertEquals(0, f.run("--sweep", "evening"), f.output);
        String offset = String.valueOf(java.time.ZoneId.of("America/New_York").getRules()
                .getOffset(java.time.Instant.now()).getTotalSeconds() / 3600);
        assertTrue(f.emulator.store().get("task_Evening").get("is_complete").asBoolean());
        for (Recorded r : f.emulator.requests()) {
            assertEquals(offset, r.headers().get("x-tz-offset"), r.method() + " " + r.body());
        }
    }
}
