package closetaskbulk;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Preview, approve, apply, retry: the loop of the people who drop files (--once and --apply). */
class OperatorLoopTest {

    private final Fixture f = new Fixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void aDryRunExitsZeroLeavesTheFileAndWritesAPlanThatAppliesExactly() throws Exception {
        List<String> ids = f.seed(4);
        ObjectNode done = (ObjectNode) f.emulator.store().get(ids.get(3));
        done.put("is_complete", true);
        f.emulator.store().put(done);
        f.drop("close-out.csv", Fixture.csv("id,is_complete,assigned_to", List.of(
                ids.get(0) + ",true,", ids.get(1) + ",true," + Fixture.BOB, ids.get(2) + ",," + Fixture.BOB,
                ids.get(3) + ",true,")));

        assertEquals(0, f.run("--once", "--dry-run"), f.output);
        assertEquals(List.of("DRY_RUN", "DRY_RUN", "DRY_RUN", "UNCHANGED"), Fixture.statuses(f.results("close-out")));
        assertEquals(List.of("close-out.csv"), f.files(f.inbox), "a preview leaves the file where it is");
        assertEquals(0, f.count("PUT /task/"));
        Path plan = f.reports.resolve("close-out.plan.csv");
        List<String> lines = Files.readAllLines(plan);
        assertEquals("line,id,assigned_to_before,assigned_to_after,is_complete_before,is_complete_after,planned_at",
                lines.get(0));
        List<CSVRecord> planned = Fixture.csv(plan);
        assertEquals(3, planned.size(), "only rows that would be written: " + lines);
        CSVRecord second = planned.stream().filter(r -> r.get("line").equals("3")).findFirst().orElseThrow();
        assertEquals(Fixture.ALICE, second.get("assigned_to_before"));
        assertEquals(Fixture.BOB, second.get("assigned_to_after"));
        assertEquals("false", second.get("is_complete_before"));
        assertEquals("true", second.get("is_complete_after"));
        CSVRecord third = planned.stream().filter(r -> r.get("line").equals("4")).findFirst().orElseThrow();
        assertEquals("", third.get("is_complete_before") + third.get("is_complete_after"), "a field left alone");
        assertTrue(f.output.isEmpty() || !f.output.contains(Fixture.KEY));

        // someone changes task 0 in Close before the plan is approved
        ObjectNode moved = (ObjectNode) f.emulator.store().get(ids.get(0));
        moved.put("is_complete", true);
        f.emulator.store().put(moved);
        f.emulator.clearLog();

        assertEquals(0, f.run("--apply", plan.toString()), f.output + " (task 0 now holds the plan's after: UNCHANGED)");
        List<CSVRecord> applied = f.results("close-out.plan");
        assertEquals(List.of("UNCHANGED", "UPDATED", "UPDATED"), Fixture.statuses(applied));
        assertEquals(2, f.count("PUT /task/"), "one write per distinct update");
        assertEquals(Fixture.BOB, f.emulator.store().get(ids.get(1)).get("assigned_to").asText());
        assertTrue(f.emulator.store().get(ids.get(1)).get("is_complete").asBoolean());
        assertTrue(Files.exists(plan), "--apply leaves the plan where it was given");

        f.emulator.clearLog();
        assertEquals(1, f.run("--apply", plan.toString()), f.output);
        assertEquals(List.of(), f.emulator.requests(), "a plan applied twice sends nothing");
    }

    @Test
    void aRowChangedSinceThePlanIsNotWritten() throws Exception {
        List<String> ids = f.seed(3);
        f.drop("move.csv", Fixture.csv("id,assigned_to", ids.stream().map(i -> i + "," + Fixture.BOB).toList()));
        assertEquals(0, f.run("--once", "--dry-run"), f.output);
        ObjectNode t = (ObjectNode) f.emulator.store().get(ids.get(1));
        t.put("date", "2027-01-01");
        t.put("is_complete", true);
        f.emulator.store().put(t); // not a field of the plan: still written
        f.emulator.store().addUser("user_Carol000000000000000000000000000000003");
        ObjectNode u = (ObjectNode) f.emulator.store().get(ids.get(2));
        u.put("assigned_to", "user_Carol000000000000000000000000000000003");
        f.emulator.store().put(u);

        Path plan = f.reports.resolve("move.plan.csv");
        Files.createDirectories(f.approved);
        Files.copy(plan, f.approved.resolve("move.plan.csv"));
        assertEquals(1, f.run("--apply", f.approved.resolve("move.plan.csv").toString()), f.output);
        List<CSVRecord> rows = f.results("move.plan");
        assertEquals(List.of("UPDATED", "UPDATED", "CHANGED_SINCE_PLAN"), Fixture.statuses(rows));
        assertTrue(rows.get(2).get("message").contains("assigned_to is now 'user_Carol"), rows.get(2).get("message"));
        assertEquals("user_Carol000000000000000000000000000000003",
                f.emulator.store().get(ids.get(2)).get("assigned_to").asText());
        assertEquals(1, f.count("PUT /task/"));
    }

    @Test
    void aPlanOlderThanTheMaxAgeIsRefusedWholeByItsPlannedAtNotItsFileTime() throws Exception {
        List<String> ids = f.seed(3);
        f.drop("copied.csv", Fixture.csv("id,is_complete", List.of(ids.get(2) + ",true")));
        assertEquals(0, f.run("--once", "--dry-run"), f.output);
        Files.delete(f.inbox.resolve("copied.csv"));
        Path copied = f.reports.resolve("copied.plan.csv");
        Files.setLastModifiedTime(copied, FileTime.from(Instant.now().minusSeconds(3 * 3600))); // copied, say
        f.set("bulk.plan.max-age", "2h");
        assertEquals(0, f.run("--apply", copied.toString()), f.output + " (made a moment ago, by its planned_at)");

        f.drop("old.csv", Fixture.csv("id,is_complete", ids.subList(0, 2).stream().map(i -> i + ",true").toList()));
        assertEquals(0, f.run("--once", "--dry-run"), f.output);
        Path plan = f.reports.resolve("old.plan.csv");
        Instant planned = Instant.parse(Fixture.csv(plan).get(0).get("planned_at"));
        f.set("bulk.plan.max-age", "1s");
        await().atMost(10, TimeUnit.SECONDS).until(() -> Duration.between(planned, Instant.now()).toMillis() > 1500);
        Files.setLastModifiedTime(plan, FileTime.from(Instant.now())); // a touched file is no younger
        f.emulator.clearLog();
        assertEquals(1, f.run("--apply", plan.toString()), f.output);
        assertEquals(List.of(), f.emulator.requests());
        String reason = f.summary("old.plan").get("reason").asText();
        assertTrue(reason.contains("bulk.plan.max-age=1s") && reason.contains("make a new plan"), reason);
    }

    @Test
    void aPlanIsAppliedOnlyAsItsDryRunWroteIt() throws Exception {
        List<String> ids = f.seed(3);
        f.drop("sealed.csv", Fixture.csv("id,is_complete", ids.subList(0, 2).stream().map(i -> i + ",true").toList()));
        assertEquals(0, f.run("--once", "--dry-run"), f.output);
        Path plan = f.reports.resolve("sealed.plan.csv");
        String sha = f.summary("sealed").get("plan_sha256").asText();
        assertEquals(closetaskbulk.run.PlanSeals.sha256(plan), sha, "the dry run's summary names its plan");
        String original = Files.readString(plan);
        String planned = Fixture.csv(plan).get(0).get("planned_at");
        f.emulator.clearLog();

        // another _after value, a row added, planned_at dropped (the file time would have judged its age)
        Map<String, String> edits = new java.util.LinkedHashMap<>();
        edits.put("after", original.replaceFirst(",false,true,", ",false,false,"));
        edits.put("added", original + "9," + ids.get(2) + ",false,true," + planned + "\n");
        edits.put("undated", original.lines().map(l -> l.substring(0, l.lastIndexOf(','))).reduce("", (a, l) -> a + l + "\n"));
        edits.put("elsewhere", "line,id,is_complete_before,is_complete_after,planned_at\n2," + ids.get(2)
                + ",false,true," + planned + "\n");
        for (Map.Entry<String, String> e : edits.entrySet()) {
            Path edited = f.dir.resolve(e.getKey() + ".plan.csv");
            Files.writeString(edited, e.getValue());
            assertEquals(1, f.run("--apply", edited.toString()), e.getKey() + ": " + f.output);
            assertTrue(Files.exists(edited), "--apply leaves a refused plan where it is");
            String reason = f.summary(e.getKey() + ".plan").get("reason").asText();
            assertTrue(reason.contains("make a new preview") && !reason.contains("\n"), e.getKey() + ": " + reason);
            assertEquals("rejected", f.summary(e.getKey() + ".plan").get("outcome").asText());
        }
        assertEquals(List.of(), f.emulator.requests(), "nothing is sent for a plan no dry run wrote");
        assertTrue(f.summary("undated.plan").get("reason").asText().contains("planned_at"));

        assertEquals(0, f.run("--apply", plan.toString()), f.output);
        assertEquals(List.of("UPDATED", "UPDATED"), Fixture.statuses(f.results("sealed.plan")));
    }

    @Test
    void aDryRunWithFailedReadsWritesAPlanThatCannotBeApproved() throws Exception {
        List<String> ids = f.seed(2);
        f.set("close.retry.max-attempts", "1").set("close.batch-size", "1").set("close.concurrency", "1");
        f.drop("gap.csv", Fixture.csv("id,is_complete", ids.stream().map(i -> i + ",true").toList()));
        f.emulator.faults().failNext("GET /task/", 2, 503); // the first batch's read, and its one retry
        assertEquals(1, f.run("--once", "--dry-run"), f.output);
        assertEquals(List.of("FAILED", "DRY_RUN"), Fixture.statuses(f.results("gap")));
        com.fasterxml.jackson.databind.JsonNode s = f.summary("gap");
        assertTrue(s.path("plan_sha256").isMissingNode(), s.toString());
        assertTrue(s.path("plan_incomplete").asText().startsWith("1 rows FAILED"), s.toString());
        f.emulator.clearLog();
        assertEquals(1, f.run("--apply", f.reports.resolve("gap.plan.csv").toString()), f.output);
        assertEquals(List.of(), f.emulator.requests());
    }

    @Test
    void aPlanDroppedIntoTheInboxOrACsvGivenToApplyIsNamedForWhatItIs() throws Exception {
        List<String> ids = f.seed(1);
        f.drop("p.csv", Fixture.csv("id,is_complete", List.of(ids.get(0) + ",true")));
        assertEquals(0, f.run("--once", "--dry-run"), f.output);
        Files.delete(f.inbox.resolve("p.csv"));
        Files.copy(f.reports.resolve("p.plan.csv"), f.inbox.resolve("p2.csv"));
        assertEquals(1, f.run("--once"), f.output);
        assertTrue(f.summary("p2").get("reason").asText().contains("drop it into bulk.approved"));
        Path csv = f.dir.resolve("changes.csv");
        Files.writeString(csv, "id,is_complete\n" + ids.get(0) + ",true\n");
        assertEquals(1, f.run("--apply", csv.toString()), f.output);
        assertTrue(f.summary("changes").get("reason").asText().contains("this is not a plan"));
        assertEquals(2, f.run("--apply", f.dir.resolve("nope.csv").toString()));
        assertTrue(f.output.startsWith("error: --apply"), f.output);
        assertEquals(0, f.count("PUT /task/"));
    }

    @Test
    void failedRowsComeBackAsARetryFileThatDropsBackIn() throws Exception {
        List<String> ids = f.seed(3);
        f.set("close.retry.max-attempts", "1");
        f.emulator.faults().failNext("PUT /task/", 1000, 503);
        String content = Fixture.csv("id,is_complete", ids.stream().map(i -> i + ",true").toList());
        f.drop("sweep-up.csv", content);
        assertEquals(1, f.run("--once"), f.output);
        List<String> retry = Files.readAllLines(f.reports.resolve("sweep-up.retry.csv"));
        assertEquals("id,is_complete,line,error", retry.get(0));
        assertTrue(retry.get(1).startsWith(ids.get(0) + ",true,2,") && retry.get(1).contains("503"), retry.get(1));

        f.emulator.faults().clear();
        // the same file again is not refused: its rows FAILED
        f.drop("sweep-up.csv", content);
        assertEquals(0, f.run("--once"), f.output);
        assertEquals(List.of("UPDATED", "UPDATED", "UPDATED"), Fixture.statuses(f.results("sweep-up-" + suffixOf("sweep-up"))));
        // and the retry file drops back in as it is: only what is still needed is sent
        f.emulator.clearLog();
        Files.copy(f.reports.resolve("sweep-up.retry.csv"), f.inbox.resolve("sweep-up.retry.csv"));
        assertEquals(0, f.run("--once"), f.output);
        assertEquals(List.of("UNCHANGED", "UNCHANGED", "UNCHANGED"), Fixture.statuses(f.results("sweep-up.retry")));
        assertEquals(0, f.count("PUT /task/"));
    }

    /** The time suffix a second run of the same name got. */
    private String suffixOf(String name) {
        return f.files(f.reports).stream().filter(n -> n.startsWith(name + "-") && n.endsWith(".results.csv"))
                .map(n -> n.substring(name.length() + 1, n.length() - ".results.csv".length())).findFirst().orElseThrow();
    }

    @Test
    void spreadsheetsAsTheySaveThem() throws Exception {
        List<String> ids = f.seed(6);
        String bom = "\uFEFF";
        // Excel "CSV UTF-8": BOM, CRLF
        f.drop("excel.csv", bom + "id,is_complete\r\n" + ids.get(0) + ",TRUE\r\n");
        // Excel in a European locale: BOM, semicolons, every header cell quoted
        f.drop("excel-de.csv", bom + "\"id\";\"date\"\r\n\"" + ids.get(1) + "\";\"2026-12-24\"\r\n");
        // LibreOffice: every cell quoted
        f.drop("libre.csv", "\"id\",\"assigned_to\"\n\"" + ids.get(2) + "\",\"" + Fixture.BOB + "\"\n");
        // Google Sheets: CRLF, no final line break
        f.drop("sheets.csv", "id,is_complete\r\n" + ids.get(3) + ",true");
        // a retry file, line and error columns included
        f.drop("retry-shape.csv", "id,is_complete,line,error\n" + ids.get(4) + ",true,7,\"Close answered 503\"\n");
        assertEquals(0, f.run("--once"), f.output);
        for (String n : List.of("excel", "excel-de", "libre", "sheets", "retry-shape")) {
            assertEquals(List.of("UPDATED"), Fixture.statuses(f.results(n)), n + ": " + f.output);
        }
        assertEquals("2026-12-24", f.emulator.store().get(ids.get(1)).get("date").asText());
    }

    @Test
    void malformedFilesAreRejectedWholeWithTheLineAndNoLibraryWording() throws Exception {
        List<String> ids = f.seed(4);
        f.drop("open-quote.csv", "id,is_complete\n" + ids.get(0) + ",true\n\"" + ids.get(1) + ",true\n" + ids.get(2) + ",true\n");
        f.drop("ragged.csv", "id,is_complete\n" + ids.get(0) + ",true\n" + ids.get(1) + ",true,extra\n");
        f.drop("junk-after-quote.csv", "\"id\"x,is_complete\n" + ids.get(0) + ",true\n");
        f.drop("bom-unknown.csv", "\uFEFF\"id\",\"colour\"\n" + ids.get(0) + ",red\n");
        assertEquals(1, f.run("--once"), f.output);
        assertEquals(List.of("bom-unknown.csv", "junk-after-quote.csv", "open-quote.csv", "ragged.csv"), f.files(f.failed));
        assertEquals(List.of(), f.emulator.requests(), "nothing is sent from a malformed file");
        String open = f.summary("open-quote").get("reason").asText();
        assertTrue(open.contains("line 3") && open.contains("never closed"), open);
        String ragged = f.summary("ragged").get("reason").asText();
        assertTrue(ragged.startsWith("line 3 has 3 cells but the header has 2 columns"), ragged);
        String junk = f.summary("junk-after-quote").get("reason").asText();
        assertTrue(junk.contains("line 1") && junk.contains("closing quote"), junk);
        String unknown = f.summary("bom-unknown").get("reason").asText();
        assertTrue(unknown.startsWith("only an id column"), unknown);
        for (String n : List.of("open-quote", "ragged", "junk-after-quote", "bom-unknown")) {
            String all = Files.readString(f.reports.resolve(n + ".summary.json"), StandardCharsets.UTF_8) + f.output;
            assertFalse(all.contains("\uFEFF") || all.contains("CSVException") || all.contains("IOException"), all);
        }
    }

    @Test
    void assigneesByEmailAreResolvedOncePerRun() {
        List<String> ids = f.seed(4);
        f.drop("by-mail.csv", Fixture.csv("id,assigned_to", List.of(ids.get(0) + ",BOB.smith@example.com",
                ids.get(1) + "," + Fixture.BOB, ids.get(2) + ",bob.smith@example.com", ids.get(3) + ",nobody@example.com")));
        assertEquals(1, f.run("--once"), f.output);
        List<CSVRecord> rows = f.results("by-mail");
        assertEquals(List.of("UPDATED", "UPDATED", "UPDATED", "INVALID"), Fixture.statuses(rows));
        assertTrue(rows.get(3).get("message").contains("'nobody@example.com' is not the e-mail of a user"),
                rows.get(3).get("message"));
        assertEquals(Fixture.BOB, f.emulator.store().get(ids.get(0)).get("assigned_to").asText());
        assertEquals(1, f.count("GET /user/"), "the users are listed once per run");
        assertEquals(1, f.count("PUT /task/"), "the e-mail and the id are one update");
        f.emulator.clearLog();
        f.drop("by-id.csv", Fixture.csv("id,assigned_to", List.of(ids.get(0) + "," + Fixture.ALICE)));
        assertEquals(0, f.run("--once"), f.output);
        assertEquals(0, f.count("GET /user/"), "no e-mail, no user list");
    }

    @Test
    void anEmailTwoUsersShareIsInvalidNamingBoth() {
        List<String> ids = f.seed(2);
        String carol = "user_Carol000000000000000000000000000000003";
        f.emulator.store().addUser(carol, "ALICE@Example.com"); // the same e-mail as Alice's, in another case
        f.drop("shared.csv", Fixture.csv("id,assigned_to", List.of(ids.get(0) + ",alice@example.com",
                ids.get(1) + ",bob.smith@example.com")));
        assertEquals(1, f.run("--once"), f.output);
        List<CSVRecord> rows = f.results("shared");
        assertEquals(List.of("INVALID", "UPDATED"), Fixture.statuses(rows));
        String message = rows.get(0).get("message");
        assertTrue(message.contains(Fixture.ALICE) && message.contains(carol) && message.contains("by id"), message);
        assertEquals(Fixture.ALICE, f.emulator.store().get(ids.get(0)).get("assigned_to").asText());
    }

    @Test
    void theUserListGoesThroughTheErrorRoutes() {
        List<String> ids = f.seed(2);
        f.set("close.retry.max-attempts", "1");
        f.emulator.faults().failNext("GET /user/", 1000, 503);
        f.drop("m.csv", Fixture.csv("id,assigned_to", List.of(ids.get(0) + ",bob.smith@example.com",
                ids.get(1) + "," + Fixture.BOB)));
        assertEquals(1, f.run("--once"), f.output);
        List<CSVRecord> rows = f.results("m");
        assertEquals(List.of("FAILED", "UPDATED"), Fixture.statuses(rows));
        assertTrue(rows.get(0).get("message").contains("could not be listed"), rows.get(0).get("message"));
        assertEquals(2, f.count("GET /user/"), "retried, then given up");
    }

    @Test
    void datesInTheConfiguredLocalPattern() {
        List<String> ids = f.seed(2);
        f.drop("us.csv", Fixture.csv("id,date", List.of(ids.get(0) + ",03/01/2026", ids.get(1) + ",02/30/2026")));
        assertEquals(1, f.run("--once"), f.output);
        String hint = f.results("us").get(0).get("message");
        assertTrue(hint.contains("bulk.date-format=MM/dd/yyyy"), hint);
        f.set("bulk.date-format", "MM/dd/yyyy");
        f.drop("us2.csv", Fixture.csv("id,date", List.of(ids.get(0) + ",03/01/2026", ids.get(1) + ",02/30/2026", "")));
        assertEquals(1, f.run("--once"), f.output);
        List<CSVRecord> rows = f.results("us2");
        assertEquals(List.of("UPDATED", "INVALID"), Fixture.statuses(rows));
        assertEquals("2026-03-01", f.emulator.store().get(ids.get(0)).get("date").asText());
        f.set("bulk.date-format", "MM/qq");
        assertEquals(2, f.run("--once"));
        assertTrue(f.output.startsWith("error: bulk.date-format=MM/qq"), f.output);
    }
}
