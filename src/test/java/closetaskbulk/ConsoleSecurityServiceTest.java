package closetaskbulk;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console refuses what it must: a wrong or missing password, a change without the session's token or from
 * another origin, a path out of bulk.reports, an oversized or non-CSV upload; and it never shows the key.
 */
class ConsoleSecurityServiceTest extends ServiceTestSupport {

    static final String PASSWORD = "s3cret-console";

    @Override
    protected void prepare(Fixture fixture) {
        fixture.set("console.password", PASSWORD).set("console.upload-max-bytes", "2000");
    }

    private final HttpClient http = HttpClient.newHttpClient();

    private String base() {
        return "http://127.0.0.1:" + f.settings.get("camel.server.port");
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder get(String path, String auth) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path));
        return auth == null ? b : b.header("Authorization", auth);
    }

    @Test
    void whatTheConsoleRefuses() throws Exception {
        String ok = basic("maria", PASSWORD);
        assertEquals(401, send(get("/", null)).statusCode());
        HttpResponse<String> wrong = send(get("/api/overview", basic("maria", "guess")));
        assertEquals(401, wrong.statusCode());
        assertTrue(wrong.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));

        HttpResponse<String> page = send(get("/", ok));
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"));
        assertFalse(page.body().contains("<script>"), "no inline script");
        assertNull(page.headers().firstValue("Authorization").orElse(null), "request headers are not echoed");
        String session = send(get("/api/session", ok)).body();
        assertTrue(session.contains("\"user\":\"maria\""), session);
        String token = Fixture.JSON.readTree(session).get("token").asText();

        // changes: the token, and the same origin
        HttpRequest.Builder upload = get("/api/uploads?name=a.csv&mode=apply", ok)
                .POST(HttpRequest.BodyPublishers.ofString("id,is_complete\ntask_T00000,true\n"));
        assertEquals(403, send(upload).statusCode(), "no token");
        assertEquals(403, send(get("/api/uploads?name=a.csv&mode=apply", ok).header("X-CSRF-Token", token)
                .header("Origin", "http://evil.example").POST(HttpRequest.BodyPublishers.ofString("id\n"))).statusCode());
        assertEquals(List.of(), f.files(f.inbox));

        // uploads: .csv only, within the limit, names made safe, atomically into the inbox
        HttpResponse<String> notCsv = send(get("/api/uploads?name=a.xlsx&mode=apply", ok).header("X-CSRF-Token", token)
                .POST(HttpRequest.BodyPublishers.ofString("PK...")));
        assertEquals(415, notCsv.statusCode(), notCsv.body());
        // what curl --data-binary sends unless told otherwise: the server would read the file as form fields
        HttpResponse<String> form = send(get("/api/uploads?name=a.csv&mode=apply", ok).header("X-CSRF-Token", token)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("id,is_complete\ntask_T00000,true\n")));
        assertEquals(415, form.statusCode(), form.body());
        assertTrue(form.body().contains("Content-Type: text/csv"), form.body());
        HttpResponse<String> big = send(get("/api/uploads?name=big.csv&mode=apply", ok).header("X-CSRF-Token", token)
                .POST(HttpRequest.BodyPublishers.ofString("id,is_complete\n" + "task_T00000,true\n".repeat(200))));
        assertEquals(413, big.statusCode(), big.body());
        assertTrue(big.body().contains("console.upload-max-bytes=2000"), big.body());
        f.seed(1);
        HttpResponse<String> sneaky = send(get("/api/uploads?name=..%2F..%2Fetc%2Fcron.csv&mode=apply", ok)
                .header("X-CSRF-Token", token).POST(HttpRequest.BodyPublishers.ofString("id,is_complete\ntask_T00000,true\n")));
        assertEquals(200, sneaky.statusCode(), sneaky.body());
        assertTrue(sneaky.body().contains("\"file\":\"cron.csv\""), sneaky.body());
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                .until(() -> Files.exists(f.reports.resolve("cron.summary.json")));

        // downloads: only reports, never a path out of bulk.reports
        assertEquals(200, send(get("/api/runs/cron/files/summary", ok)).statusCode());
        assertEquals(400, send(get("/api/runs/..%2F..%2Fconfig%2Fapplication/files/summary", ok)).statusCode());
        assertEquals(404, send(get("/api/runs/cron/files/..%2F..%2Fpasswd", ok)).statusCode());
        assertEquals(404, send(get("/assets/..%2F..%2Fconfig%2Fapplication.properties", ok)).statusCode());
        assertEquals(404, send(get("/assets/app.js.map", ok)).statusCode());
        // nor through a symbolic link someone put into bulk.reports
        Path secret = Files.writeString(f.dir.resolve("secret.txt"), "id,is_complete\nthe-secret-line,true\n");
        Files.createSymbolicLink(f.reports.resolve("linked.results.csv"), secret);
        Files.createSymbolicLink(f.reports.resolve("linked.summary.json"), secret);
        assertEquals(404, send(get("/api/runs/linked/files/results", ok)).statusCode());
        assertEquals(404, send(get("/api/runs/linked/files/summary", ok)).statusCode());
        assertFalse(send(get("/api/runs/linked/results", ok)).body().contains("the-secret-line"));

        // only a plan awaiting approval can be approved: not one whose dry run stopped before its end
        Files.createDirectories(f.reports);
        Files.writeString(f.reports.resolve("cut.plan.csv"), "line,id,is_complete_before,is_complete_after\n2,task_T00000,false,true\n");
        HttpResponse<String> cut = send(get("/api/plans/cut/approve", ok).header("X-CSRF-Token", token)
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(409, cut.statusCode(), cut.body());
        assertTrue(cut.body().contains("incomplete"), cut.body());
        assertEquals(List.of(), f.files(f.approved));

        // the key appears in no answer
        for (String path : List.of("/", "/assets/app.js", "/api/session", "/api/overview", "/api/runs/cron",
                "/api/runs/cron/results", "/api/runs/cron/files/summary")) {
            HttpResponse<String> r = send(get(path, ok));
            assertFalse(r.body().contains(Fixture.KEY) || r.headers().map().toString().contains(Fixture.KEY), path);
        }
    }
}
