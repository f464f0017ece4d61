package closetaskbulk;

import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import closetaskbulk.emulator.CloseEmulator.Recorded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Nothing lost, nothing twice: re-drops, resuming after a halt, pacing, faults. */
class DeliveryTest {

    private final Fixture f = new Fixture();

    @AfterEach
    void close() {
        f.close();
    }

    private String rows(List<String> ids, String value) {
        return Fixture.csv("id,assigned_to", ids.stream().map(i -> i + "," + value).toList());
    }

    /** PUT bodies' id__in, with how many times Close answered 200 to each. */
    private Map<String, Integer> confirmedWrites() {
        Map<String, Integer> m = new HashMap<>();
        for (Recorded r : f.emulator.requests("PUT /task/")) {
            if (r.status() == 200) {
                m.merge(r.json().get("_params").get("id__in").asText(), 1, Integer::sum);
            }
        }
        return m;
    }

    @Test
    void theSameContentIsProcessedOnceEvenRenamedUnlessRepeatedOnPurpose() {
        List<String> ids = f.seed(3);
        String content = rows(ids, Fixture.BOB);
        f.drop("one.csv", content);
        assertEquals(0, f.run("--once"), f.output);
        int requests = f.emulator.requests().size();

        f.drop("one.csv", content);
        f.drop("copy-of-one.csv", content);
        assertEquals(1, f.run("--once"), f.output);
        assertEquals(requests, f.emulator.requests().size(), "nothing sent for the re-drops");
        assertEquals(3, f.files(f.done).size());
        JsonNode copy = f.summary("copy-of-one");
        assertEquals("already-processed", copy.get("outcome").asText());
        assertTrue(copy.get("reason").asText().contains("as one.csv"), copy.toString());
        assertTrue(copy.get("reason").asText().contains("one.summary.json"), copy.toString());

        f.drop("again.csv", content);
        assertEquals(0, f.run("--once", "--repeat"), f.output);
        assertEquals(List.of("UNCHANGED", "UNCHANGED", "UNCHANGED"),
                f.results("again").stream().map(r -> r.get("status")).toList());
    }

    @Test
    void afterARevokedKeyARestartFinishesTheFileWithoutResendingConfirmedBatches() throws Exception {
        List<String> ids = f.seed(10);
        f.set("close.batch-size", "2").set("close.concurrency", "2");
        AtomicInteger calls = new AtomicInteger();
        f.emulator.onRequest(r -> {
            if (calls.incrementAndGet() == 6) {
                f.emulator.revokeKey(Fixture.KEY); // 3 batches confirmed, then 401
            }
        });
        f.drop("k.csv", rows(ids, Fixture.BOB));
        assertEquals(2, f.run("--once"), f.output);
        Map<String, Integer> before = confirmedWrites();
        assertTrue(before.size() >= 2 && before.size() < 5, "some batches confirmed before the halt: " + before);

        f.emulator.addKey(Fixture.KEY);
        assertEquals(0, f.run("--once"), f.output);
        Map<String, Integer> writes = confirmedWrites();
        assertEquals(5, writes.size());
        assertTrue(writes.values().stream().allMatch(n -> n == 1), "no batch written twice: " + writes);
        List<CSVRecord> results = f.results("k");
        assertEquals(10, results.size());
        assertTrue(results.stream().allMatch(r -> r.get("status").equals("UPDATED")), "the first three batches "
                + "are reported from the journal as UPDATED, not read back as UNCHANGED");
        List<CSVRecord> undo = Fixture.csv(f.reports.resolve("k.undo.csv"));
        assertEquals(10, undo.size());
        assertTrue(undo.stream().allMatch(r -> r.get("assigned_to").equals(Fixture.ALICE)), "before-values");
        assertEquals(1, f.files(f.reports).stream().filter(n -> n.endsWith(".results.csv")).count(),
                "the resumed run writes over its own partial reports");
        assertTrue(Files.list(f.dir.resolve("state/journal")).findAny().isEmpty(), "journal removed when done");
    }

    @Test
    void aSteadyLimitOfTenASecondGivesNo429() {
        List<String> ids = f.seed(5000);
        f.emulator.rateLimits().set(10, 10);
        f.drop("paced.csv", rows(ids, Fixture.BOB));
        assertEquals(0, f.run("--once"), f.output);
        assertEquals(0, f.emulator.requests(r -> r.status() == 429).size());
        assertEquals(50, f.count("PUT /task/"));
        assertEquals(50, f.count("GET /task/"));
    }

    @Test
    void anOptionalCeilingSpacesCallsPerGroup() {
        List<String> ids = f.seed(6);
        f.set("close.batch-size", "1").set("close.concurrency", "1").set("close.max-requests-per-second", "5");
        f.drop("ceiling.csv", rows(ids, Fixture.BOB));
        assertEquals(0, f.run("--once"), f.output);
        List<Recorded> puts = f.emulator.requests("PUT /task/");
        assertEquals(6, puts.size());
        for (int i = 1; i < puts.size(); i++) {
            long gap = puts.get(i).at() - puts.get(i - 1).at();
            assertTrue(gap >= 180, "5 per second: " + gap + " ms between writes");
        }
    }

    @Test
    void aBatchFailsWhenTheRateLimitWaitBudgetIsSpent() {
        List<String> ids = f.seed(2);
        f.set("close.rate-limit.max-wait", "1500");
        f.emulator.faults().failNext("PUT /task/", 5, 429); // Retry-After: 1 each time
        f.drop("budget.csv", rows(ids, Fixture.BOB));
        assertEquals(1, f.run("--once"), f.output);
        List<CSVRecord> results = f.results("budget");
        assertTrue(results.stream().allMatch(r -> r.get("status").equals("FAILED")
                && r.get("message").contains("close.rate-limit.max-wait")), results.toString());
        assertEquals("429", results.get(0).get("http_status"));
    }

    @Test
    void faultsEndInUpdatedOrFailedWithNothingMissingAndNoDoubleWrites() {
        List<String> ids = f.seed(2000);
        f.set("close.batch-size", "50").set("close.retry.max-attempts", "6");
        f.emulator.faults().seed(11).errorRate(0.10, 503).dropRate(0.05).burst429Rate(0.05);
        f.drop("faulty.csv", rows(ids, Fixture.BOB));
        int code = f.run("--once");
        assertTrue(code == 0 || code == 1, f.output);
        List<CSVRecord> results = f.results("faulty");
        assertEquals(2000, results.size());
        for (int i = 0; i < results.size(); i++) {
            CSVRecord r = results.get(i);
            assertEquals(String.valueOf(i + 2), r.get("line"));
            assertTrue(r.get("status").equals("UPDATED") || (r.get("status").equals("FAILED") && !r.get("message").isEmpty()), r.toString());
        }
        assertTrue(confirmedWrites().values().stream().allMatch(n -> n == 1), "a batch is confirmed once");
        JsonNode s = f.summary("faulty");
        assertTrue(s.get("retries").asInt() > 0, s.toString());
        assertTrue(f.emulator.requests(r -> r.status() == 429).size() > 0);
        assertTrue(f.emulator.requests(r -> r.status() == -1).size() > 0);
        long updated = results.stream().filter(r -> r.get("status").equals("UPDATED")).count();
        long changed = ids.stream().filter(id -> f.emulator.store().get(id).get("assigned_to").asText().equals(Fixture.BOB)).count();
        assertEquals(updated, changed, "UPDATED is exactly what changed in Close");
    }

    @Test
    void aHaltIsFinalEvenForCallsWaitingOnTheRateLimit() throws Exception {
        List<String> ids = f.seed(200);
        f.emulator.rateLimits().set(1000, 1000); // RateLimit headers on every answer
        f.set("close.batch-size", "10").set("close.concurrency", "4").set("close.max-requests-per-second", "4");
        AtomicInteger writes = new AtomicInteger();
        f.emulator.onRequest(r -> {
            if (r.group().equals("PUT /task/") && r.status() == 200 && writes.incrementAndGet() == 3) {
                f.emulator.revokeKey(Fixture.KEY);
            }
        });
        f.drop("big.csv", rows(ids, Fixture.BOB));
        assertEquals(2, f.run("--once"), f.output);

        List<Recorded> all = f.emulator.requests();
        long refused = all.stream().filter(r -> r.status() == 401).count();
        assertTrue(refused <= 2, "after the first 401 only calls already sent may be answered 401, not "
                + refused + ": " + all.stream().map(r -> r.group() + " " + r.status()).toList());
        // every batch Close confirmed is in the reports, undo included
        long changed = ids.stream().filter(i -> f.emulator.store().get(i).get("assigned_to").asText()
                .equals(Fixture.BOB)).count();
        assertEquals(30, changed);
        JsonNode summary = f.summary("big");
        assertEquals("halted", summary.get("outcome").asText());
        assertEquals(changed, summary.get("counts").get("UPDATED").asLong());
        assertEquals(changed, Fixture.csv(f.reports.resolve("big.undo.csv")).size());
        assertEquals(List.of("big.csv"), f.files(f.inbox));
    }

    @Test
    void answersThatAreNotClosesJsonAreRetriedAndNeverMakeRowsNotFound() {
        List<String> ids = f.seed(4);
        f.emulator.faults().answerNext("GET /task/", 1, 200, "<html><body>502 Bad Gateway</body></html>")
                .answerNext("PUT /task/", 1, 200, "");
        f.drop("g.csv", rows(ids.subList(0, 2), Fixture.BOB));
        assertEquals(0, f.run("--once"), f.output);
        assertEquals(List.of("UPDATED", "UPDATED"), f.results("g").stream().map(r -> r.get("status")).toList());
        assertEquals(2, f.count("GET /task/"), "the HTML page was retried");
        assertEquals(2, f.count("PUT /task/"), "the empty answer to the write was retried");

        f.emulator.faults().answerNext("GET /task/", 20, 200, "");
        f.drop("h.csv", rows(ids.subList(2, 4), Fixture.BOB));
        assertEquals(1, f.run("--once"), f.output);
        for (CSVRecord r : f.results("h")) {
            assertEquals("FAILED", r.get("status"), "never NOT_FOUND: " + r);
            assertTrue(r.get("message").contains("an empty body"), r.toString());
        }
        assertEquals(2, f.count("PUT /task/"), "nothing written after empty answers");
    }

    @Test
    void eachRetryIsOneLineWithTheCallTheAttemptAndTheNextWait() {
        List<String> ids = f.seed(2);
        var log = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        var requests = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("closetaskbulk.requests");
        log.start();
        requests.addAppender(log);
        try {
            f.emulator.faults().failNext("PUT /task/", 2, 503);
            f.drop("r.csv", rows(ids, Fixture.BOB));
            assertEquals(0, f.run("--once"), f.output);
        } finally {
            requests.detachAppender(log);
        }
        List<String> warnings = log.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                .map(e -> e.getFormattedMessage()).toList();
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).matches("r batch 1 \\(2 ids, .*\\): try 1 of 6 failed \\(Close answered 503.*\\); "
                + "next try in about 10 ms"), warnings.get(0));
        assertTrue(warnings.get(1).contains("try 2 of 6") && warnings.get(1).endsWith("next try in about 20 ms"),
                warnings.get(1));
    }

    @Test
    void aMalformedRateLimitHeaderCountsAsAbsentWithOneWarning() {
        List<String> ids = f.seed(4);
        f.set("close.batch-size", "1").set("close.concurrency", "1");
        var log = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        var pacer = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(closetaskbulk.close.Pacer.class);
        log.start();
        pacer.addAppender(log);
        try {
            f.emulator.faults().headersNext("GET /task/", 3, 0, java.util.Map.of("RateLimit", "limit=100, remaining=1.2.3, reset=."))
                    .headersNext(null, 1, 429, java.util.Map.of("RateLimit", "reset=1..5", "Retry-After", "0"));
            f.drop("odd.csv", rows(ids, Fixture.BOB));
            assertEquals(0, f.run("--once"), f.output);
        } finally {
            pacer.detachAppender(log);
        }
        assertEquals(List.of("UPDATED", "UPDATED", "UPDATED", "UPDATED"), Fixture.statuses(f.results("odd")));
        List<String> warnings = log.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                .map(e -> e.getFormattedMessage()).toList();
        assertEquals(1, warnings.stream().filter(w -> w.contains("read calls")).count(), warnings.toString());
        assertTrue(warnings.get(0).contains("malformed") && warnings.get(0).contains("as if it were absent"), warnings.toString());
    }

    @Test
    void aRetryAfterBeyondTheWaitBudgetIsNotWaited() {
        List<String> ids = f.seed(2);
        f.set("close.rate-limit.max-wait", "60000");
        f.emulator.faults().headersNext("PUT /task/", 1, 429, java.util.Map.of("Retry-After", "3600", "RateLimit", ""));
        f.drop("later.csv", rows(ids, Fixture.BOB));
        long start = System.nanoTime();
        assertEquals(1, f.run("--once"), f.output);
        assertTrue(System.nanoTime() - start < 30_000_000_000L, "an hour is not waited");
        String message = f.results("later").get(0).get("message");
        assertTrue(message.matches(".*a wait of 3[56][0-9][0-9] s more.*") && message.contains("did not wait")
                && message.contains("close.rate-limit.max-wait=60000"), message);
    }

    @Test
    void aBatchReadAnsweredAPageAtATimeIsReadOn() throws Exception {
        List<String> ids = f.seed(3);
        String first = "{\"has_more\": true, \"data\": [" + f.emulator.store().get(ids.get(0)) + "]}";
        f.emulator.faults().answerNext("GET /task/", 1, 200, first);
        f.drop("paged.csv", rows(ids, Fixture.BOB));
        assertEquals(0, f.run("--once"), f.output);
        assertEquals(List.of("UPDATED", "UPDATED", "UPDATED"), Fixture.statuses(f.results("paged")),
                "ids not yet read are never NOT_FOUND");
        assertEquals(2, f.count("GET /task/"));
        assertTrue(f.emulator.requests("GET /task/").get(1).body().contains("\"_skip\":1"),
                f.emulator.requests("GET /task/").get(1).body());
    }

    @Test
    void aWriteThatTimedOutKeepsItsBeforeValuesInTheUndoFile() throws Exception {
        List<String> ids = f.seed(2);
        f.set("close.response-timeout", "300").set("close.retry.max-attempts", "1");
        f.emulator.faults().stallNext("PUT /task/", 1500).stallNext("PUT /task/", 1500); // applied, answered too late
        f.drop("slow-write.csv", rows(ids, Fixture.BOB));
        assertEquals(1, f.run("--once"), f.output);
        List<CSVRecord> results = f.results("slow-write");
        assertTrue(results.stream().allMatch(r -> r.get("status").equals("FAILED")
                && r.get("message").contains("may have applied it")), results.toString());
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> Fixture.BOB.equals(f.emulator.store().get(ids.get(1)).get("assigned_to").asText()));
        List<CSVRecord> undo = Fixture.csv(f.reports.resolve("slow-write.undo.csv"));
        assertEquals(ids, undo.stream().map(r -> r.get("id")).toList());
        assertTrue(undo.stream().allMatch(r -> r.get("assigned_to").equals(Fixture.ALICE)), undo.toString());
    }

    @Test
    void aStormOf5xxStopsTheRunAfterTheFailedBatchesInARow() throws Exception {
        List<String> ids = f.seed(50);
        f.set("close.batch-size", "5").set("close.concurrency", "1").set("close.retry.max-attempts", "1")
                .set("close.retry.max-failed-batches", "3");
        f.emulator.faults().errorRate(1.0, 503);
        f.drop("storm.csv", rows(ids, Fixture.BOB));
        assertEquals(1, f.run("--once"), f.output);
        List<CSVRecord> results = f.results("storm");
        assertEquals(50, results.size());
        assertTrue(results.stream().allMatch(r -> r.get("status").equals("FAILED")), results.toString());
        assertEquals(35, results.stream().filter(r -> r.get("message").startsWith("Close unavailable")).count());
        assertEquals(6, f.emulator.requests().size(), "3 batches, each tried twice; then nothing sent");
        assertEquals(51, Files.readAllLines(f.reports.resolve("storm.retry.csv")).size(), "every row can be dropped again");
    }
}
