package closetaskbulk;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import closetaskbulk.emulator.CloseEmulator.Recorded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CSV intake end to end, in --once mode, through the shipped routes and config, against the emulator. */
class CsvIntakeTest {

    private final Fixture f = new Fixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void mixedFileGivesEveryStatusInInputOrderAndARetryFileOfInvalidAndFailedRows() throws Exception {
        List<String> ids = f.seed(5);
        ObjectNode done = (ObjectNode) f.emulator.store().get(ids.get(1));
        done.put("is_complete", true);
        f.emulator.store().put(done);
        // line 2 UPDATED, 3 UNCHANGED, 4 NOT_FOUND, 5 INVALID, 6 DUPLICATE, 7 FAILED (unknown user: Close says 400)
        f.drop("mixed.csv", Fixture.csv("id,is_complete,assigned_to", List.of(
                ids.get(0) + ",true,",
                ids.get(1) + ",true,",
                "task_Missing,true,",
                ids.get(2) + ",perhaps,",
                ids.get(0) + ",true,",
                ids.get(3) + ",,user_Nobody")));

        assertEquals(1, f.run("--once"), f.output);

        List<CSVRecord> rows = f.results("mixed");
        assertEquals(List.of("2", "3", "4", "5", "6", "7"), rows.stream().map(r -> r.get("line")).toList());
        assertEquals(List.of("UPDATED", "UNCHANGED", "NOT_FOUND", "INVALID", "DUPLICATE", "FAILED"), Fixture.statuses(rows));
        assertEquals("same id as line 2", rows.get(4).get("message"));
        assertEquals("400", rows.get(5).get("http_status"));
        assertTrue(rows.get(5).get("message").contains("assigned_to: Object does not exist"), rows.get(5).get("message"));
        List<CSVRecord> retry = Fixture.csv(f.reports.resolve("mixed.retry.csv"));
        assertEquals(List.of(ids.get(2) + "|perhaps||5|is_complete 'perhaps' must be true or false (1/0 and yes/no work too)",
                        ids.get(3) + "||user_Nobody|7|Close refused the batch (400): assigned_to: Object does not exist."),
                retry.stream().map(r -> String.join("|", r.toList())).toList());
        assertEquals("id,is_complete,assigned_to,line,error", Files.readAllLines(f.reports.resolve("mixed.retry.csv")).get(0));
        assertEquals("line,id,status,http_status,message,assigned_to,is_complete",
                Files.readAllLines(f.reports.resolve("mixed.results.csv")).get(0), "what was asked beside what happened");
        assertEquals("user_Nobody", rows.get(5).get("assigned_to"));
        assertEquals("perhaps", rows.get(3).get("is_complete"));
        assertEquals(List.of("mixed.csv"), f.files(f.done));
        assertEquals(List.of(), f.files(f.inbox));
        JsonNode summary = f.summary("mixed");
        assertEquals(6, summary.get("rows").asInt());
        assertEquals(1, summary.get("counts").get("FAILED").asInt());
        assertTrue(f.emulator.store().get(ids.get(0)).get("is_complete").asBoolean());
        assertFalse(f.emulator.store().get(ids.get(2)).get("is_complete").asBoolean());
    }

    @Test
    void everyRequestMatchesCloseContract() {
        List<String> ids = f.seed(3);
        f.drop("c.csv", Fixture.csv("id,is_complete", List.of(ids.get(0) + ",true", ids.get(1) + ",yes")));
        assertEquals(0, f.run("--once"), f.output);

        Recorded read = f.emulator.requests("GET /task/").get(0);
        assertEquals("POST", read.method());
        assertEquals("/api/v1/task/", read.path());
        assertEquals("GET", read.headers().get("x-http-method-override"));
        JsonNode params = read.json().get("_params");
        assertEquals("all", params.get("_type").asText());
        assertEquals(ids.get(0) + "," + ids.get(1), params.get("id__in").asText());
        assertEquals("id,assigned_to,date,is_complete", params.get("_fields").asText());

        Recorded write = f.emulator.requests("PUT /task/").get(0);
        assertEquals("PUT", write.method());
        assertEquals(null, write.query());
        JsonNode body = write.json();
        assertEquals("{\"is_complete\":true,\"_params\":{\"_type\":\"all\",\"id__in\":\"" + ids.get(0) + ","
                + ids.get(1) + "\"}}", body.toString());
        String expectedAuth = "Basic " + java.util.Base64.getEncoder().encodeToString((Fixture.KEY + ":").getBytes());
        assertEquals(expectedAuth, write.headers().get("authorization"));
        assertTrue(write.headers().get("user-agent").startsWith("close-task-bulk/"), write.headers().toString());
        assertTrue(write.headers().get("content-type").startsWith("application/json"));
    }

    @Test
    void extraColumnsAreCarriedInInputOrderToResultsAndRetryAndNeverSent() throws Exception {
        List<String> ids = f.seed(3);
        f.drop("sheet.csv", Fixture.csv("lead_name,id,is_complete,Notes,text", List.of(
                "Acme," + ids.get(0) + ",true,\"call back, then close\",=SUM(A1)",
                "Globex," + ids.get(1) + ",perhaps,,",
                "Initech," + ids.get(2) + ",true,n3,t3")));

        assertEquals(1, f.run("--once"), f.output);

        assertEquals("line,id,status,http_status,message,is_complete,lead_name,Notes,text",
                Files.readAllLines(f.reports.resolve("sheet.results.csv")).get(0));
        List<CSVRecord> rows = f.results("sheet");
        assertEquals(List.of("UPDATED", "INVALID", "UPDATED"), Fixture.statuses(rows));
        assertEquals("Acme|call back, then close|'=SUM(A1)", rows.get(0).get("lead_name") + "|"
                + rows.get(0).get("Notes") + "|" + rows.get(0).get("text"), "carried, formula-safe");
        assertEquals("Initech|n3|t3", rows.get(2).get("lead_name") + "|" + rows.get(2).get("Notes") + "|"
                + rows.get(2).get("text"));
        assertEquals(List.of("lead_name,id,is_complete,Notes,text,line,error",
                "Globex," + ids.get(1) + ",perhaps,,,3,is_complete 'perhaps' must be true or false (1/0 and yes/no work too)"),
                Files.readAllLines(f.reports.resolve("sheet.retry.csv")));
        for (Recorded r : f.emulator.requests()) {
            String body = String.valueOf(r.body());
            assertFalse(body.contains("Acme") || body.contains("lead_name") || body.contains("call back"),
                    "carried columns are never sent: " + body);
        }
        assertEquals("{\"is_complete\":true,\"_params\":{\"_type\":\"all\",\"id__in\":\"" + ids.get(0) + ","
                + ids.get(2) + "\"}}", f.emulator.requests("PUT /task/").get(0).json().toString());

        // the retry file, fixed, drops back in: line and error are read past, the carried columns carried again
        f.drop("sheet.retry.csv", Files.readString(f.reports.resolve("sheet.retry.csv")).replace("perhaps", "yes"));
        assertEquals(0, f.run("--once"), f.output);
        assertEquals("line,id,status,http_status,message,is_complete,lead_name,Notes,text",
                Files.readAllLines(f.reports.resolve("sheet.retry.results.csv")).get(0));
        CSVRecord again = f.results("sheet.retry").get(0);
        assertEquals("UPDATED|Globex", again.get("status") + "|" + again.get("lead_name"));
    }

    @Test
    void aColumnThatLooksLikeAMisspeltKnownOneRejectsTheFileNamingIt() {
        List<String> ids = f.seed(1);
        Map<String, String> misspelt = Map.of("asigned_to", "assigned_to", "is_completed", "is_complete",
                "taskid", "task_id", "due_date", "date", "Assigned To", "assigned_to", "assignee", "assigned_to");
        misspelt.forEach((col, like) -> f.drop(col.replace(' ', '-') + ".csv", "id,is_complete,\"" + col + "\"\n"
                + ids.get(0) + ",true,x\n"));
        assertEquals(1, f.run("--once"), f.output);
        assertEquals(misspelt.size(), f.files(f.failed).size(), f.output);
        misspelt.forEach((col, like) -> {
            String reason = f.summary(col.replace(' ', '-')).get("reason").asText();
            assertTrue(reason.startsWith("column '" + col + "' looks like a misspelt '" + like + "'"), reason);
        });
        assertEquals(List.of(), f.emulator.requests(), "nothing sent");
    }

    @Test
    void extraColumnsRejectRefusesAnyOtherColumn() {
        f.seed(2);
        f.set("bulk.extra-columns", "reject");
        f.drop("bad.csv", "id,is_complete,notes\ntask_T00000,true,hello\n");
        f.drop("retry-shape.csv", "id,is_complete,line,error\ntask_T00001,true,4,\"Close answered 503\"\n");
        assertEquals(1, f.run("--once"), f.output);
        assertEquals(List.of("bad.csv"), f.files(f.failed));
        assertEquals(List.of("retry-shape.csv"), f.files(f.done), "line and error are still read past");
        JsonNode s = f.summary("bad");
        assertEquals("rejected", s.get("outcome").asText());
        assertTrue(s.get("reason").asText().startsWith("unknown column 'notes'"), s.toString());
    }

    @Test
    void aDryRunsPlanCarriesTheColumnsAndAppliedItsResultsDoToo() throws Exception {
        List<String> ids = f.seed(2);
        f.drop("owners.csv", Fixture.csv("id,assigned_to,lead_name", List.of(ids.get(0) + "," + Fixture.BOB + ",Acme",
                ids.get(1) + "," + Fixture.BOB + ",Globex")));
        assertEquals(0, f.run("--once", "--dry-run"), f.output);
        List<String> plan = Files.readAllLines(f.reports.resolve("owners.plan.csv"));
        assertEquals("line,id,assigned_to_before,assigned_to_after,planned_at,lead_name", plan.get(0));
        assertTrue(plan.get(1).startsWith("2," + ids.get(0) + ",") && plan.get(1).endsWith(",Acme"), plan.get(1));
        assertTrue(plan.get(2).endsWith(",Globex"), plan.get(2));

        assertEquals(0, f.run("--apply", f.reports.resolve("owners.plan.csv").toString()), f.output);
        List<CSVRecord> applied = f.results("owners.plan");
        assertEquals(List.of("UPDATED", "UPDATED"), Fixture.statuses(applied));
        assertEquals(List.of("Acme", "Globex"), applied.stream().map(r -> r.get("lead_name")).toList());
        assertEquals(Fixture.BOB, f.emulator.store().get(ids.get(1)).get("assigned_to").asText());
    }

    @Test
    void fileThatIsNotUtf8IsRejected() throws Exception {
        Files.createDirectories(f.inbox);
        Files.write(f.inbox.resolve("latin1.csv"), "id,date\ntask_Ä,2026-01-01\n".getBytes(StandardCharsets.ISO_8859_1));
        f.drop("noid.csv", "task,date\nx,2026-01-01\n");
        f.drop("empty.csv", "");
        assertEquals(1, f.run("--once"), f.output);
        assertEquals(List.of("empty.csv", "latin1.csv", "noid.csv"), f.files(f.failed));
        assertTrue(f.summary("latin1").get("reason").asText().contains("not UTF-8"));
        assertTrue(f.summary("noid").get("reason").asText().startsWith("column 'task' looks like a misspelt 'id'"));
        assertTrue(f.summary("empty").get("reason").asText().contains("empty"));
        assertEquals(List.of(), f.emulator.requests());
    }

    @Test
    void semicolonsBomQuotesAndTaskIdHeaderAreAccepted() {
        List<String> ids = f.seed(2);
        f.drop("semi.csv", "\uFEFF Task_ID ;DATE\n" + ids.get(0) + ";\"2026-12-24\"\n" + ids.get(1)
                + ";2026-12-24T10:00:00+01:00\n");
        assertEquals(0, f.run("--once"), f.output);
        assertEquals(List.of("UPDATED", "UPDATED"), Fixture.statuses(f.results("semi")));
        assertEquals("2026-12-24", f.emulator.store().get(ids.get(0)).get("date").asText());
        assertEquals(2, f.count("PUT /task/"), "one write per distinct date");
    }

    @Test
    void rowChecksExplainWhatIsWrong() {
        f.seed(1);
        f.drop("rows.csv", Fixture.csv("id,assigned_to,date,is_complete", List.of(
                "task_T00000,,2026-02-30,",
                "task_T00000 task_X,,,true",
                "=HYPERLINK(\"x\"),,,true",
                "task_A,,03/01/2026,",
                "task_B,,2026-03-01T09:00:00,",
                "task_C,,,")));
        assertEquals(1, f.run("--once"), f.output);
        List<CSVRecord> rows = f.results("rows");
        assertEquals("date '2026-02-30' is not a real calendar date", rows.get(0).get("message"));
        assertTrue(rows.get(1).get("message").contains("more than one token"));
        assertEquals("'=HYPERLINK(\"x\")", rows.get(2).get("id"), "formula cells are written as text");
        assertTrue(rows.get(3).get("message").contains("use 2026-03-01"));
        assertTrue(rows.get(4).get("message").contains("no time zone offset"));
        assertTrue(rows.get(5).get("message").startsWith("nothing to change"));
        assertEquals(List.of(), f.emulator.requests("PUT /task/"));
    }

    @Test
    void aBadRequestFailsThatBatchOnly() {
        List<String> ids = f.seed(6);
        f.set("close.batch-size", "2");
        f.emulator.faults().failNext("PUT /task/", 1, 400);
        f.drop("b.csv", Fixture.csv("id,is_complete", ids.stream().map(i -> i + ",true").toList()));
        assertEquals(1, f.run("--once"), f.output);
        List<String> st = Fixture.statuses(f.results("b"));
        int failed = st.indexOf("FAILED"); // which batch met the 400 depends on timing (close.concurrency=2)
        assertTrue(failed % 2 == 0 && st.get(failed + 1).equals("FAILED"), "one whole batch failed: " + st);
        assertEquals(4, st.stream().filter("UPDATED"::equals).count(), st.toString());
        assertEquals(3, f.count("PUT /task/"));
        assertEquals(2, Fixture.csv(f.reports.resolve("b.retry.csv")).size());
    }

    @Test
    void keyRevokedMidFileHaltsWithNoFurtherRequestAndTheFileStaysInTheInbox() {
        List<String> ids = f.seed(10);
        f.set("close.batch-size", "2").set("close.concurrency", "2");
        AtomicInteger calls = new AtomicInteger();
        f.emulator.onRequest(r -> {
            if (calls.incrementAndGet() == 4) {
                f.emulator.revokeKey(Fixture.KEY); // after 2 batches (read + write each)
            }
        });
        f.drop("k.csv", Fixture.csv("id,is_complete", ids.stream().map(i -> i + ",true").toList()));
        assertEquals(2, f.run("--once"), f.output);

        List<Recorded> all = f.emulator.requests();
        int first401 = all.stream().map(Recorded::status).toList().indexOf(401);
        assertTrue(first401 >= 4, all.toString());
        List<Recorded> after = all.subList(first401, all.size());
        assertTrue(after.stream().allMatch(r -> r.status() == 401), "nothing succeeds after the halt");
        assertTrue(after.size() <= 2, "at most the calls already in flight (close.concurrency=2): " + after.size());
        assertEquals(List.of("k.csv"), f.files(f.inbox));
        assertEquals(List.of(), f.files(f.done));
        JsonNode s = f.summary("k");
        assertEquals("halted", s.get("outcome").asText());
        assertTrue(s.get("reason").asText().contains("401"));
        assertFalse(f.output.contains(Fixture.KEY));
    }

    @Test
    void aWrongEndpointHalts() {
        List<String> ids = f.seed(2);
        f.set("close.base-url", f.emulator.baseUrl().replace("/api/v1", "/api/v9"));
        f.drop("w.csv", Fixture.csv("id,is_complete", ids.stream().map(i -> i + ",true").toList()));
        assertEquals(2, f.run("--once"), f.output);
        assertEquals(1, f.emulator.requests().size());
        assertEquals(404, f.emulator.requests().get(0).status());
        assertEquals(List.of("w.csv"), f.files(f.inbox));
    }

    @Test
    void a429StormIsWaitedOutAsTheHeadersSay() {
        List<String> ids = f.seed(4);
        f.emulator.faults().failNext("PUT /task/", 3, 429); // 429 with budget left: reset=0, Retry-After: 1
        f.drop("r.csv", Fixture.csv("id,is_complete", ids.stream().map(i -> i + ",true").toList()));
        assertEquals(0, f.run("--once"), f.output);
        List<Recorded> puts = f.emulator.requests("PUT /task/");
        assertEquals(List.of(429, 429, 429, 200), puts.stream().map(Recorded::status).toList());
        for (int i = 1; i < puts.size(); i++) {
            long gap = puts.get(i).at() - puts.get(i - 1).at();
            assertTrue(gap >= 950, "waited " + gap + " ms after a 429; Retry-After asked for 1 s");
        }
        assertEquals(List.of("UPDATED", "UPDATED", "UPDATED", "UPDATED"), Fixture.statuses(f.results("r")));
        assertEquals(3, f.summary("r").get("retries").asInt());
    }

    @Test
    void a503IsRetriedAnd503ForeverEndsFailedWithTheRowsInTheRetryFile() {
        List<String> ids = f.seed(4);
        f.set("close.batch-size", "2").set("close.retry.max-attempts", "3");
        f.emulator.faults().failNext("PUT /task/", 2, 503);   // first batch: 503, 503, then ok
        f.drop("s.csv", Fixture.csv("id,is_complete", List.of(ids.get(0) + ",true", ids.get(1) + ",true")));
        assertEquals(0, f.run("--once"), f.output);
        assertEquals(List.of(503, 503, 200), f.emulator.requests("PUT /task/").stream().map(Recorded::status).toList());

        f.emulator.clearLog();
        f.emulator.faults().errorRate(1.0, 503);
        f.drop("s2.csv", Fixture.csv("id,is_complete", List.of(ids.get(2) + ",true", ids.get(3) + ",true")));
        assertEquals(1, f.run("--once"), f.output);
        assertEquals(4, f.emulator.requests().size(), "one try and three retries");
        assertEquals(List.of("FAILED", "FAILED"), Fixture.statuses(f.results("s2")));
        assertEquals("503", f.results("s2").get(0).get("http_status"));
        assertEquals(2, Fixture.csv(f.reports.resolve("s2.retry.csv")).size());
    }

    @Test
    void aDroppedConnectionIsRetried() {
        List<String> ids = f.seed(2);
        f.emulator.faults().dropNext("PUT /task/", 1);
        f.drop("d.csv", Fixture.csv("id,is_complete", ids.stream().map(i -> i + ",true").toList()));
        assertEquals(0, f.run("--once"), f.output);
        assertEquals(2, f.count("PUT /task/"));
    }

    @Test
    void anAnswerSlowerThanTheTimeoutIsRetried() {
        List<String> ids = f.seed(2);
        f.set("close.response-timeout", "300");
        f.emulator.faults().stallNext("PUT /task/", 1500);
        f.drop("t.csv", Fixture.csv("id,is_complete", ids.stream().map(i -> i + ",true").toList()));
        assertEquals(0, f.run("--once"), f.output);
        assertEquals(2, f.summary("t").get("requests").get("write").asInt(), "the stalled call, then the resend");
        assertEquals(1, f.summary("t").get("retries").asInt());
        assertEquals(List.of("UPDATED", "UPDATED"), Fixture.statuses(f.results("t")));
        // the emulator logs the stalled call when it finally answers, after the client gave up
        org.awaitility.Awaitility.await().atMost(5, java.util.concurrent.TimeUnit.SECONDS)
                .until(() -> f.count("PUT /task/") == 2);
    }

    @Test
    void droppingTheUndoFileRestoresTheStore() throws Exception {
        List<String> ids = f.seed(6);
        ObjectNode dateless = (ObjectNode) f.emulator.store().get(ids.get(5));
        dateless.putNull("date");
        f.emulator.store().put(dateless);
        ObjectNode t2 = (ObjectNode) f.emulator.store().get(ids.get(2));
        t2.put("date", "2026-11-30T08:15:00+00:00");
        f.emulator.store().put(t2);
        Map<String, ObjectNode> before = f.emulator.store().snapshot();
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            rows.add(ids.get(i) + "," + (i % 2 == 0 ? Fixture.BOB : "") + ",2027-01-0" + (1 + i % 3) + "," + (i < 3));
        }
        f.drop("u.csv", Fixture.csv("id,assigned_to,date,is_complete", rows));
        assertEquals(0, f.run("--once"), f.output);
        JsonNode nr = f.summary("u").get("not_restorable");
        assertEquals(1, nr.get("count").asInt(), "the dateless task's date cannot be emptied again");
        assertEquals(ids.get(5), nr.get("sample").get(0).get("id").asText());

        Files.copy(f.reports.resolve("u.undo.csv"), f.inbox.resolve("u.undo.csv"));
        assertEquals(0, f.run("--once"), f.output);
        Map<String, ObjectNode> after = f.emulator.store().snapshot();
        for (String id : ids) {
            for (String field : List.of("assigned_to", "is_complete")) {
                assertEquals(before.get(id).get(field), after.get(id).get(field), id + " " + field);
            }
            if (!id.equals(ids.get(5))) {
                assertTrue(closetaskbulk.run.BulkUpdate.sameDate(before.get(id).get("date").asText(), after.get(id).get("date").asText()),
                        id + " date " + after.get(id).get("date"));
            }
        }
    }

    @Test
    void intakeFilterMakesFilteredTasksNotFoundAndUntouched() {
        List<String> ids = f.seed(3);
        ObjectNode complete = (ObjectNode) f.emulator.store().get(ids.get(1));
        complete.put("is_complete", true);
        f.emulator.store().put(complete);
        f.set("bulk.filter.is_complete", "false");
        f.drop("flt.csv", Fixture.csv("id,assigned_to", ids.stream().map(i -> i + "," + Fixture.BOB).toList()));
        assertEquals(1, f.run("--once"), f.output);
        List<CSVRecord> rows = f.results("flt");
        assertEquals(List.of("UPDATED", "NOT_FOUND", "UPDATED"), Fixture.statuses(rows));
        assertEquals("no such task, or filtered out by is_complete=false", rows.get(1).get("message"));
        assertEquals(Fixture.ALICE, f.emulator.store().get(ids.get(1)).get("assigned_to").asText());
        for (Recorded r : f.emulator.requests()) {
            JsonNode p = r.json().get("_params");
            assertEquals("false", p.get("is_complete").asText(), "read and write use the same filter");
            assertFalse(r.group().startsWith("PUT") && p.get("id__in").asText().contains(ids.get(1)));
        }
    }

    @Test
    void dryRunReadsAndReportsButSendsNoWrite() {
        List<String> ids = f.seed(3);
        f.drop("dry.csv", Fixture.csv("id,is_complete", List.of(ids.get(0) + ",true", ids.get(1) + ",false",
                "task_Gone,true")));
        assertEquals(1, f.run("--once", "--dry-run"), f.output);
        assertEquals(List.of("DRY_RUN", "UNCHANGED", "NOT_FOUND"), Fixture.statuses(f.results("dry")));
        assertEquals(0, f.count("PUT /task/"));
        assertEquals(2, f.count("GET /task/"), "two distinct updates: two batches, each read once");
        assertTrue(f.summary("dry").get("dry_run").asBoolean());
    }

    /**
     * A file that stays where it is (a dry run's file in the inbox, a plan given to --apply) is said to stay, never
     * "moved", and the re-drop register records where it is, not where it would have moved.
     */
    @Test
    void aFileThatStaysIsSaidAndRecordedWhereItStays() throws Exception {
        var log = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        var intake = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("closetaskbulk.intake");
        log.start();
        intake.addAppender(log);
        try {
            List<String> ids = f.seed(1);
            f.drop("stay.csv", Fixture.csv("id,is_complete", List.of(ids.get(0) + ",true")));
            assertEquals(0, f.run("--once", "--dry-run"), f.output);
            assertEquals(List.of("stay.csv"), f.files(f.inbox));
            java.nio.file.Path plan = f.reports.resolve("stay.plan.csv");
            assertEquals(0, f.run("--apply", plan.toString()), f.output);
            assertTrue(Files.exists(plan), "--apply leaves the plan where it was given");
            assertEquals(List.of(), f.files(f.done));
            List<String> lines = log.list.stream().map(e -> e.getFormattedMessage()).toList();
            assertTrue(lines.stream().noneMatch(l -> l.contains("oved to")), lines.toString());
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("stay.csv: stays in " + f.inbox)), lines.toString());
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("stay.plan.csv: stays in " + f.reports)), lines.toString());
            java.nio.file.Path processed = f.dir.resolve("state/processed");
            List<String> records = f.files(processed);
            assertEquals(1, records.size(), "the applied plan is registered; the dry run is not");
            JsonNode record = Fixture.JSON.readTree(processed.resolve(records.get(0)).toFile());
            assertEquals(plan.toString(), record.path("moved_to").asText(), record.toString());
        } finally {
            intake.detachAppender(log);
        }
    }

    @Test
    void takenNamesGetATimeSuffixAndNothingIsOverwritten() throws Exception {
        List<String> ids = f.seed(1);
        f.drop("same.csv", Fixture.csv("id,is_complete", List.of(ids.get(0) + ",true")));
        assertEquals(0, f.run("--once"), f.output);
        f.drop("same.csv", Fixture.csv("id,is_complete", List.of(ids.get(0) + ",false")));
        assertEquals(0, f.run("--once"), f.output);
        List<String> done = f.files(f.done);
        assertEquals(2, done.size());
        assertTrue(done.contains("same.csv") && done.stream().anyMatch(n -> n.matches("same-\\d{8}-\\d{6}\\.csv")),
                done.toString());
        long summaries = f.files(f.reports).stream().filter(n -> n.endsWith(".summary.json")).count();
        assertEquals(2, summaries);
    }

    @Test
    void hundredThousandRowsSendExactlyTheMinimalNumberOfRequests() {
        int n = 100_000;
        List<String> ids = f.seed(n);
        StringBuilder sb = new StringBuilder("id,assigned_to,is_complete\n");
        int[] perUpdate = new int[3];
        for (int i = 0; i < n; i++) {
            int u = i % 7 == 0 ? 0 : i % 3 == 0 ? 1 : 2; // three distinct updates, interleaved
            perUpdate[u]++;
            sb.append(ids.get(i)).append(switch (u) {
                case 0 -> "," + Fixture.BOB + ",";
                case 1 -> ",,true";
                default -> "," + Fixture.BOB + ",true";
            }).append('\n');
        }
        f.drop("big.csv", sb.toString());
        assertEquals(0, f.run("--once"), f.output);
        int minimal = 0;
        for (int c : perUpdate) {
            minimal += (c + 99) / 100;
        }
        assertEquals(minimal, f.count("PUT /task/"));
        assertEquals(minimal, f.count("GET /task/"));
        assertEquals(n, f.summary("big").get("counts").get("UPDATED").asInt());
    }

    @Test
    void onceWithAnEmptyInboxSaysSoAndExits0() {
        assertEquals(0, f.runLogged("--once"), f.output);
        assertEquals(1, f.log.stream().filter(l -> l.equals("INFO nothing to do: no CSV file ready in " + f.inbox)).count(),
                f.log.toString());
        assertEquals(0, f.emulator.requests().size());
    }
}
