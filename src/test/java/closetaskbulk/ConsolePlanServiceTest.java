package closetaskbulk;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import closetaskbulk.run.PlanSeals;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console's plans tell the truth: an upload answers with the run it started, a plan shows its SHA-256 and
 * is approved only with it, once; its age is judged as the intake judges it; "applied" only once applied.
 */
class ConsolePlanServiceTest extends ServiceTestSupport {

    @Override
    protected void prepare(Fixture fixture) {
        fixture.set("bulk.plan.max-age", "10s");
    }

    private final HttpClient http = HttpClient.newHttpClient();
    private String token;

    private HttpRequest.Builder req(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + f.settings.get("camel.server.port") + path));
    }

    private JsonNode get(String path) throws Exception {
        return Fixture.JSON.readTree(http.send(req(path).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private HttpRequest post(String path, String body) {
        return req(path).header("X-CSRF-Token", token).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private String preview(String name, String content) throws Exception {
        HttpResponse<String> r = http.send(post("/api/uploads?name=" + name + "&mode=preview", content),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        String run = Fixture.JSON.readTree(r.body()).get("run").asText();
        await().atMost(20, TimeUnit.SECONDS).until(() -> Files.exists(f.reports.resolve(run + ".summary.json"))
                && f.files(java.nio.file.Path.of(f.settings.get("bulk.preview"))).isEmpty());
        return run;
    }

    private String plannedState(String name) throws Exception {
        return get("/api/plans/" + name).path("state").asText();
    }

    @Test
    void plansAreShownAndApprovedAsTheIntakeJudgesThem() throws Exception {
        token = get("/api/session").get("token").asText();
        List<String> ids = f.seed(4);
        String content = Fixture.csv("id,is_complete", ids.subList(0, 2).stream().map(i -> i + ",true").toList());
        assertEquals("week", preview("week.csv", content));
        // the same name again: the answer names the run this upload started, not the older one
        String second = preview("week.csv", content);
        assertTrue(!second.equals("week") && Files.exists(f.reports.resolve(second + ".plan.csv")), second);

        JsonNode plan = get("/api/plans/week");
        assertEquals("awaiting approval", plan.path("state").asText(), plan.toString());
        String sha = plan.path("plan_sha256").asText();
        assertEquals(PlanSeals.sha256(f.reports.resolve("week.plan.csv")), sha);
        assertEquals(f.summary("week").path("plan_sha256").asText(), sha);

        // Approve sends the SHA-256 shown: without it, or with another, nothing is approved
        assertEquals(409, http.send(post("/api/plans/week/approve", ""), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(409, http.send(post("/api/plans/week/approve?sha=" + "0".repeat(64), ""),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(List.of(), f.files(f.approved));

        // two approvals at once: one applies, the other is told
        CompletableFuture<HttpResponse<String>> a = http.sendAsync(post("/api/plans/week/approve?sha=" + sha, ""),
                HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> b = http.sendAsync(post("/api/plans/week/approve?sha=" + sha, ""),
                HttpResponse.BodyHandlers.ofString());
        List<Integer> codes = List.of(a.get().statusCode(), b.get().statusCode()).stream().sorted().toList();
        assertEquals(List.of(200, 409), codes, a.get().body() + " / " + b.get().body());
        await().atMost(20, TimeUnit.SECONDS).until(() -> "applied".equals(plannedState("week")));
        assertEquals(List.of("UPDATED", "UPDATED"), Fixture.statuses(f.results("week.plan")));
        assertEquals(1, f.count("PUT /task/"));

        // a plan whose apply was refused is not "applied"
        Files.writeString(f.reports.resolve(second + ".plan.summary.json"), "{\"outcome\":\"rejected\",\"reason\":\"r\"}");
        assertEquals("refused", plannedState(second));

        // its age is planned_at + bulk.plan.max-age, whatever the file's time says
        String late = preview("late.csv", Fixture.csv("id,is_complete", List.of(ids.get(3) + ",true")));
        Instant planned = Instant.parse(Fixture.csv(f.reports.resolve(late + ".plan.csv")).get(0).get("planned_at"));
        await().atMost(30, TimeUnit.SECONDS).until(() -> Duration.between(planned, Instant.now()).toSeconds() > 11);
        Files.setLastModifiedTime(f.reports.resolve(late + ".plan.csv"), FileTime.from(Instant.now()));
        assertEquals("expired", plannedState(late));
        String lateSha = f.summary(late).path("plan_sha256").asText();
        assertEquals(409, http.send(post("/api/plans/" + late + "/approve?sha=" + lateSha, ""),
                HttpResponse.BodyHandlers.ofString()).statusCode());
    }
}
