package closetaskbulk;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelExecutionException;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

import closetaskbulk.close.CloseApi;
import closetaskbulk.emulator.CloseEmulator;
import closetaskbulk.kamelet.TaskUpdateSink;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kamelet (kamelets/close-task-bulk-update-sink.kamelet.yaml) as users run it: the example route in
 * examples/kamelet/ loaded next to the shipped routes, a file of ids dropped into its folder; then other
 * routes' messages sent straight to the Kamelet.
 */
class KameletServiceTest extends ServiceTestSupport {

    static final String OTHER_KEY = "second-org-key-81c4e7";

    @Override
    protected void prepare(Fixture fixture) {
        fixture.set("camel.main.routes-include-pattern",
                "file:routes/*.camel.yaml,file:routes/sweeps/*.camel.yaml,file:examples/kamelet/*.camel.yaml");
        fixture.set("id-lists.inbox", fixture.dir.resolve("id-lists").toString());
        fixture.set("close.batch-size", "2");
        fixture.emulator.addKey(OTHER_KEY);
    }

    @Test
    void theKameletBatchesChecksAndReportsLikeAFile() throws Exception {
        List<String> t = f.seed(6);
        Path lists = f.dir.resolve("id-lists");

        // 1. the example route: a text file of ids, one or more per line, completes them
        Files.createDirectories(lists);
        Path tmp = lists.resolve(".week-48.tmp");
        Files.writeString(tmp, t.get(0) + " " + t.get(1) + "\n" + t.get(2) + ",task_Missing0000\n", StandardCharsets.UTF_8);
        Files.move(tmp, lists.resolve("week-48.txt"));
        await().atMost(30, TimeUnit.SECONDS).until(() -> Files.exists(lists.resolve("done/week-48.txt")));
        for (int i = 0; i < 3; i++) {
            assertTrue(f.emulator.store().get(t.get(i)).path("is_complete").asBoolean(), t.get(i));
        }
        assertFalse(f.emulator.store().get(t.get(3)).path("is_complete").asBoolean());
        List<CSVRecord> results = Fixture.csv(report("week-48-", ".results.csv"));
        assertEquals(List.of("UPDATED", "UPDATED", "UPDATED", "NOT_FOUND"), Fixture.statuses(results));
        assertEquals(List.of(t.get(0), t.get(1), t.get(2), "task_Missing0000"), results.stream().map(r -> r.get("id")).toList());
        assertEquals(2, f.emulator.requests("PUT /task/").size(), "3 ids at close.batch-size=2: two PUTs");

        // 2. another route's message: maps with their own updates, over the Kamelet's; its own API key
        f.emulator.clearLog();
        List<Object> rows = new ArrayList<>();
        rows.add(Map.of("id", t.get(3)));
        rows.add(Map.of("id", t.get(4), "date", "2027-01-15"));
        rows.add(Map.of("id", "TASK-1"));
        rows.add(Map.of("id", t.get(3)));
        rows.add(t.get(5));
        rows.add(Map.of("id", "task_T00099", "assigned_to", "nobody"));
        Map<String, Object> back = new LinkedHashMap<>();
        back.put("id", t.get(2));
        back.put("isComplete", "false");
        back.put("assignedTo", "");
        rows.add(back);
        rows.add(Map.of("id", t.get(1), "colour", "red"));
        Map<?, ?> summary = template.requestBodyAndHeader("kamelet:close-task-bulk-update-sink?assignedTo=" + Fixture.BOB
                + "&apiKey=" + OTHER_KEY, rows, TaskUpdateSink.RUN_NAME, "../reassign to Bob", Map.class);
        assertEquals("finished", summary.get("outcome"));
        Map<?, ?> counts = (Map<?, ?>) summary.get("counts");
        assertEquals(List.of(4, 3, 1, 0), List.of(counts.get("UPDATED"), counts.get("INVALID"), counts.get("DUPLICATE"),
                counts.get("FAILED")));
        results = Fixture.csv(report("__reassign_to_Bob-", ".results.csv"));
        assertEquals(List.of("UPDATED", "UPDATED", "INVALID", "DUPLICATE", "UPDATED", "INVALID", "UPDATED", "INVALID"),
                Fixture.statuses(results));
        assertTrue(results.get(2).get("message").contains("not a Close task id"), results.get(2).get("message"));
        assertTrue(results.get(5).get("message").contains("not a Close user id"), results.get(5).get("message"));
        assertTrue(results.get(7).get("message").contains("unknown field colour"), results.get(7).get("message"));
        assertEquals(Fixture.BOB, f.emulator.store().get(t.get(3)).path("assigned_to").asText());
        assertEquals(Fixture.BOB, f.emulator.store().get(t.get(4)).path("assigned_to").asText());
        assertEquals("2027-01-15", f.emulator.store().get(t.get(4)).path("date").asText());
        assertEquals(Fixture.ALICE, f.emulator.store().get(t.get(2)).path("assigned_to").asText());
        assertFalse(f.emulator.store().get(t.get(2)).path("is_complete").asBoolean());
        List<CloseEmulator.Recorded> calls = f.emulator.requests();
        assertFalse(calls.isEmpty());
        for (CloseEmulator.Recorded r : calls) {
            assertEquals(CloseApi.basicAuth(OTHER_KEY), r.headers().get("authorization"), "every call with the Kamelet's key");
        }
        try (var files = Files.list(f.reports)) {
            for (Path p : files.toList()) {
                assertFalse(Files.readString(p).contains(OTHER_KEY), "the key in " + p);
            }
        }

        // 2b. the assignee by e-mail, as a spreadsheet would hold it
        f.emulator.clearLog();
        Map<?, ?> byMail = template.requestBody("kamelet:close-task-bulk-update-sink?assignedTo=alice@EXAMPLE.com&runName=mail",
                List.of(t.get(3)), Map.class);
        assertEquals(1, ((Map<?, ?>) byMail.get("counts")).get("UPDATED"), byMail.toString());
        assertEquals(Fixture.ALICE, f.emulator.store().get(t.get(3)).path("assigned_to").asText());
        assertEquals(1, f.emulator.requests("GET /user/").size());

        // 3. bad messages: a clear error back to the sender, and a summary that says why
        CamelExecutionException empty = assertThrows(CamelExecutionException.class, () ->
                template.requestBody("kamelet:close-task-bulk-update-sink?isComplete=true&runName=empty", " \n "));
        assertInstanceOf(IllegalArgumentException.class, empty.getCause());
        assertTrue(empty.getCause().getMessage().contains("holds no task ids"), empty.getCause().getMessage());
        assertEquals("rejected", Fixture.JSON.readTree(report("empty-", ".summary.json").toFile()).path("outcome").asText());
        CamelExecutionException number = assertThrows(CamelExecutionException.class, () ->
                template.requestBody("kamelet:close-task-bulk-update-sink?isComplete=true", 42));
        assertTrue(number.getCause().getMessage().contains("not java.lang.Integer"), number.getCause().getMessage());
        assertFalse(runState.isHalted());
        assertEquals(1, runState.exitCode(), "rows not all OK; no halt, no internal error");
    }

    private static Path report(String prefix, String suffix) throws Exception {
        try (var files = Files.list(f.reports)) {
            List<Path> found = files.filter(p -> p.getFileName().toString().startsWith(prefix)
                    && p.getFileName().toString().endsWith(suffix)).toList();
            assertEquals(1, found.size(), prefix + "*" + suffix + " in " + f.files(f.reports));
            return found.get(0);
        }
    }
}
