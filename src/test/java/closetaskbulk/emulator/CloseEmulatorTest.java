package closetaskbulk.emulator;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The emulator behaves as docs/CLOSE-API.md describes Close. */
class CloseEmulatorTest {

    static final String KEY = "emu-key";
    static final String ALICE = "user_Alice";
    static final String BOB = "user_Bob";
    static final ObjectMapper JSON = new ObjectMapper();

    CloseEmulator emu;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws IOException {
        emu = new CloseEmulator().addKey(KEY).start();
        emu.store().addUser(ALICE);
        emu.store().addUser(BOB);
        task("task_A", "lead", ALICE, "2026-03-01", false, "2026-01-01T00:00:00+00:00");
        task("task_B", "lead", ALICE, "2026-03-01T23:30:00+00:00", true, "2026-01-02T00:00:00+00:00");
        task("task_C", "lead", BOB, "2026-03-02", false, "2026-01-03T00:00:00+00:00");
        task("noti_D", "email_followup", BOB, "2026-02-01", false, "2026-01-04T00:00:00+00:00");
        task("noti_E", "missed_call", ALICE, null, false, "2026-01-05T00:00:00+00:00");
    }

    @AfterEach
    void stop() {
        emu.close();
    }

    void task(String id, String type, String user, String date, boolean complete, String created) {
        ObjectNode t = JSON.createObjectNode();
        t.put("id", id);
        t.put("_type", type);
        t.put("assigned_to", user);
        if (date == null) {
            t.putNull("date");
        } else {
            t.put("date", date);
        }
        t.put("is_complete", complete);
        t.put("date_created", created);
        t.put("lead_id", "lead_" + id);
        emu.store().put(t);
    }

    HttpResponse<String> call(String method, String pathAndQuery, String body, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + emu.port() + pathAndQuery))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (!headers.containsKey("Authorization")) {
            b.header("Authorization", basic(KEY));
        }
        headers.forEach((k, v) -> {
            if (v != null) {
                b.header(k, v);
            }
        });
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String pathAndQuery) throws Exception {
        return call("GET", pathAndQuery, null, Map.of());
    }

    static String basic(String key) {
        return "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8));
    }

    static List<String> ids(HttpResponse<String> r) throws IOException {
        List<String> ids = new ArrayList<>();
        JSON.readTree(r.body()).get("data").forEach(t -> ids.add(t.get("id").asText()));
        return ids;
    }

    @Test
    void withoutTypeOnlyLeadTasksMatch() throws Exception {
        assertEquals(List.of("task_A", "task_B", "task_C"), ids(get("/api/v1/task/")));
        assertEquals(List.of("task_A", "task_B", "task_C", "noti_D", "noti_E"), ids(get("/api/v1/task/?_type=all")));
        assertEquals(List.of("noti_D", "noti_E"), ids(get("/api/v1/task/?_type__in=email_followup,missed_call")));
        assertEquals(List.of("noti_D"), ids(get("/api/v1/task/?_type=email_followup")));
        assertEquals(List.of(), ids(get("/api/v1/task/?id=noti_D")), "noti_D is not a lead task");
    }

    @Test
    void filtersFieldsOrderAndPaging() throws Exception {
        assertEquals(List.of("task_A", "noti_E"), ids(get("/api/v1/task/?_type=all&assigned_to=user_Alice&is_complete=false")));
        assertEquals(List.of("task_C", "task_A"), ids(get("/api/v1/task/?id__in=task_A,task_C&_order_by=-date_created")));
        HttpResponse<String> r = get("/api/v1/task/?_fields=id,is_complete&_limit=2&_skip=1");
        JsonNode page = JSON.readTree(r.body());
        assertEquals(200, r.statusCode());
        assertEquals("[{\"id\":\"task_B\",\"is_complete\":true},{\"id\":\"task_C\",\"is_complete\":false}]",
                page.get("data").toString());
        assertFalse(page.get("has_more").asBoolean());
        assertTrue(JSON.readTree(get("/api/v1/task/?_limit=1").body()).get("has_more").asBoolean());
        assertEquals(400, get("/api/v1/task/?_limit=101").statusCode(), "above the maximum page");
        assertEquals(List.of("task_A", "task_B", "task_C"), ids(get("/api/v1/task/?_order_by=date")));
        assertEquals(List.of("task_C", "task_B", "task_A"), ids(get("/api/v1/task/?_order_by=-date")));
        assertEquals(400, get("/api/v1/task/?colour=red").statusCode(), "unknown filter");
    }

    @Test
    void dateOnlyAndDateTimeCompareAsCloseOrdersThem() throws Exception {
        // date-only = the start of that day in the caller's zone
        assertEquals(List.of("task_B", "task_C"), ids(get("/api/v1/task/?date__gt=2026-03-01")));
        assertEquals(List.of("task_A", "task_B"), ids(get("/api/v1/task/?date__lt=2026-03-02")));
        assertEquals(List.of("task_A"), ids(get("/api/v1/task/?date__lte=2026-03-01T00:00:00%2B00:00")));
        assertEquals(List.of("noti_D"), ids(get("/api/v1/task/?_type=all&due_date__lt=2026-03-01")));
        // In UTC+2, 2026-03-02 starts at 2026-03-01T22:00Z: task_B (23:30Z) is on the 2nd there
        HttpResponse<String> r = call("GET", "/api/v1/task/?date__gte=2026-03-02", null, Map.of("x-tz-offset", "2"));
        assertEquals(List.of("task_B", "task_C"), ids(r));
        assertEquals(400, get("/api/v1/task/?date__lt=03/01/2026").statusCode());
    }

    @Test
    void viewsUseTheCallersDay() throws Exception {
        String today = java.time.LocalDate.now(java.time.ZoneOffset.ofHours(-8)).toString();
        String tomorrow = java.time.LocalDate.now(java.time.ZoneOffset.ofHours(-8)).plusDays(1).toString();
        task("task_Today", "lead", ALICE, today, false, "2026-01-06T00:00:00+00:00");
        task("task_Tomorrow", "lead", ALICE, tomorrow, false, "2026-01-07T00:00:00+00:00");
        Map<String, String> tz = Map.of("x-tz-offset", "-8");
        List<String> inbox = ids(call("GET", "/api/v1/task/?view=inbox", null, tz));
        assertTrue(inbox.contains("task_Today") && inbox.contains("task_A") && !inbox.contains("task_Tomorrow"), inbox.toString());
        assertEquals(List.of("task_Tomorrow"), ids(call("GET", "/api/v1/task/?view=future", null, tz)));
        assertEquals(List.of("task_B"), ids(get("/api/v1/task/?view=archive")));
    }

    @Test
    void paramsInTheBodyReplaceTheQueryString() throws Exception {
        HttpResponse<String> r = call("POST", "/api/v1/task/?id=task_A", "{\"_params\":{\"id__in\":\"task_C,noti_D\",\"_type\":\"all\"}}",
                Map.of("x-http-method-override", "GET"));
        assertEquals(200, r.statusCode());
        assertEquals(List.of("task_C", "noti_D"), ids(r));
        assertEquals("GET /task/", emu.requests().get(0).group());
        assertEquals(405, call("POST", "/api/v1/task/", "{}", Map.of()).statusCode(), "POST without override");
    }

    @Test
    void bulkUpdateAppliesToTheFilterAndAnswersOk() throws Exception {
        HttpResponse<String> r = call("PUT", "/api/v1/task/", "{\"assigned_to\":\"user_Bob\",\"date\":\"2026-05-01\","
                + "\"_params\":{\"id__in\":\"task_A,noti_E\",\"_type\":\"all\"}}", Map.of());
        assertEquals(200, r.statusCode());
        assertEquals("{\"ok\":true}", r.body());
        assertEquals(BOB, emu.store().get("task_A").get("assigned_to").asText());
        assertEquals("2026-05-01", emu.store().get("noti_E").get("date").asText());
        assertEquals(ALICE, emu.store().get("task_B").get("assigned_to").asText());
        // query-string filter, without _type: only lead tasks
        call("PUT", "/api/v1/task/?id__in=task_C,noti_D", "{\"is_complete\":true}", Map.of());
        assertTrue(emu.store().get("task_C").get("is_complete").asBoolean());
        assertFalse(emu.store().get("noti_D").get("is_complete").asBoolean());
    }

    @Test
    void bulkUpdateRefusesBadFieldsWithFieldErrors() throws Exception {
        Map<String, ObjectNode> before = emu.store().snapshot();
        String filter = ",\"_params\":{\"id__in\":\"task_A\"}}";
        HttpResponse<String> r = call("PUT", "/api/v1/task/", "{\"text\":\"x\",\"is_complete\":\"yes\",\"date\":\"03/01/2026\","
                + "\"assigned_to\":\"user_Nobody\"" + filter, Map.of());
        assertEquals(400, r.statusCode());
        JsonNode fe = JSON.readTree(r.body()).get("field-errors");
        assertEquals(List.of("assigned_to", "date", "is_complete", "text"), iterable(fe.fieldNames()));
        assertEquals("Must be a boolean.", fe.get("is_complete").asText());
        assertEquals(before, emu.store().snapshot(), "nothing changed");
        r = call("PUT", "/api/v1/task/", "{\"is_complete\":true}", Map.of());
        assertEquals(400, r.statusCode(), "an empty filter is refused");
        assertTrue(JSON.readTree(r.body()).get("error").asText().contains("filter"));
        assertEquals(400, call("PUT", "/api/v1/task/", "{\"is_complete\":true,\"_params\":{\"_type\":\"all\"}}", Map.of()).statusCode());
        assertEquals(before, emu.store().snapshot());
    }

    static List<String> iterable(java.util.Iterator<String> it) {
        List<String> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }

    @Test
    void aBulkUpdateOfTheLimitOrMoreChangesNothing() throws Exception {
        emu.bulkLimit(3);
        Map<String, ObjectNode> before = emu.store().snapshot();
        HttpResponse<String> r = call("PUT", "/api/v1/task/", "{\"is_complete\":true,\"_params\":{\"id__in\":\"task_A,task_B,task_C\"}}", Map.of());
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("fewer than 3"), r.body());
        assertEquals(before, emu.store().snapshot());
        assertEquals(200, call("PUT", "/api/v1/task/", "{\"is_complete\":true,\"_params\":{\"id__in\":\"task_A,task_C\"}}", Map.of()).statusCode());
    }

    @Test
    void oneTaskEndpointsAndUnknownPaths() throws Exception {
        assertEquals("task_A", JSON.readTree(get("/api/v1/task/task_A/").body()).get("id").asText());
        assertEquals(404, get("/api/v1/task/task_Nope/").statusCode());
        assertEquals(404, get("/api/v1/lead/").statusCode());
        HttpResponse<String> put = call("PUT", "/api/v1/task/noti_D/", "{\"is_complete\":true}", Map.of());
        assertEquals(200, put.statusCode());
        assertTrue(JSON.readTree(put.body()).get("is_complete").asBoolean());
        assertEquals(200, call("DELETE", "/api/v1/task/noti_D/", null, Map.of()).statusCode());
        assertNull(emu.store().get("noti_D"));
        assertEquals(404, call("DELETE", "/api/v1/task/noti_D/", null, Map.of()).statusCode());
        emu.maxUrlLength(100);
        assertEquals(414, get("/api/v1/task/?id__in=" + "task_X,".repeat(20)).statusCode());
    }

    @Test
    void authBasicOrBearerAndAKeyRevokedMidRun() throws Exception {
        assertEquals(200, call("GET", "/api/v1/task/", null, Map.of("Authorization", "Bearer " + KEY)).statusCode());
        HttpResponse<String> none = call("GET", "/api/v1/task/", null, Map.of("Authorization", basic("wrong")));
        assertEquals(401, none.statusCode());
        assertTrue(JSON.readTree(none.body()).has("error"));
        assertEquals(200, get("/api/v1/task/").statusCode());
        emu.revokeKey(KEY);
        assertEquals(401, get("/api/v1/task/").statusCode());
        emu.addKey(KEY);
        assertEquals(200, get("/api/v1/task/").statusCode());
    }

    @Test
    void rateLimitHeadersOnEveryAnswerAnd429PastTheLimit() throws Exception {
        emu.rateLimits().set(2, 1); // burst 2, 1 request/s
        HttpResponse<String> a = get("/api/v1/task/");
        assertTrue(a.headers().firstValue("RateLimit").orElseThrow().matches("limit=2, remaining=1, reset=[0-9.]+"),
                a.headers().map().toString());
        HttpResponse<String> b = get("/api/v1/task/");
        assertTrue(b.headers().firstValue("RateLimit").orElseThrow().startsWith("limit=2, remaining=0"));
        HttpResponse<String> c = get("/api/v1/task/");
        assertEquals(429, c.statusCode());
        assertEquals("", c.body(), "429 carries no JSON body");
        assertTrue(Integer.parseInt(c.headers().firstValue("Retry-After").orElseThrow()) >= 1);
        assertTrue(c.headers().firstValue("RateLimit").isPresent());
        // groups are separate: PUT still has budget
        assertEquals(200, call("PUT", "/api/v1/task/", "{\"is_complete\":true,\"_params\":{\"id\":\"task_A\"}}", Map.of()).statusCode());
    }

    @Test
    void faultsAreInjectedAndTheRequestLogRecordsEverything() throws Exception {
        emu.faults().failNext("PUT /task/", 1, 503);
        assertEquals(503, call("PUT", "/api/v1/task/", "{\"is_complete\":true,\"_params\":{\"id\":\"task_A\"}}", Map.of()).statusCode());
        assertFalse(emu.store().get("task_A").get("is_complete").asBoolean(), "a fault changes nothing");
        assertEquals(200, get("/api/v1/task/").statusCode(), "other groups are not affected");
        emu.faults().dropNext(null, 1); // a PUT: the JDK client would quietly resend a dropped GET
        assertThrows(IOException.class, () -> call("PUT", "/api/v1/task/", "{\"is_complete\":true,\"_params\":{\"id\":\"task_A\"}}", Map.of()));
        emu.faults().latency(150, 0);
        long t0 = System.nanoTime();
        get("/api/v1/task/");
        assertTrue((System.nanoTime() - t0) / 1_000_000 >= 150);
        List<CloseEmulator.Recorded> log = emu.requests();
        assertEquals(List.of(503, 200, -1, 200), log.stream().map(CloseEmulator.Recorded::status).toList());
        assertEquals("{\"is_complete\":true,\"_params\":{\"id\":\"task_A\"}}", log.get(0).body());
        assertEquals(basic(KEY), log.get(0).headers().get("authorization"));
    }

    @Test
    void randomFaultsAreDeterministicForASeed() {
        List<Faults.Action> first = new ArrayList<>();
        List<Faults.Action> second = new ArrayList<>();
        for (List<Faults.Action> run : List.of(first, second)) {
            emu.faults().clear().seed(7).errorRate(0.2, 503).dropRate(0.1);
            for (int i = 0; i < 50; i++) {
                run.add(emu.faults().next("PUT /task/"));
            }
        }
        assertEquals(first, second);
        assertTrue(first.stream().anyMatch(Faults.Action::drop) && first.stream().anyMatch(a -> a.status() == 503));
    }

    @Test
    void theDemoSeedHasRealisticTasks() {
        TaskStore s = new TaskStore();
        s.loadClasspathSeed();
        Map<String, ObjectNode> all = s.snapshot();
        assertEquals(300, all.size());
        assertTrue(all.keySet().stream().anyMatch(id -> id.startsWith("noti_")));
        assertTrue(all.values().stream().anyMatch(t -> t.get("date").asText().length() == 10));
        assertTrue(all.values().stream().anyMatch(t -> t.get("date").asText().contains("T")));
        assertTrue(all.values().stream().anyMatch(t -> t.get("is_complete").asBoolean()));
        assertEquals(5, s.users().size());
    }
}
