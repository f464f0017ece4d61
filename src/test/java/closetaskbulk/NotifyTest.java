package closetaskbulk;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bulk.notify.*: a webhook POST when a run ends, through routes/notify.camel.yaml, against a local receiver. */
class NotifyTest {

    private static final String SECRET_PATH = "/services/T0001/B0002/xyzSecretToken";

    private final Fixture f = new Fixture();
    private final List<String> received = new CopyOnWriteArrayList<>();
    private volatile int answer = 200;
    private HttpServer receiver;

    private String receiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", ex -> {
            received.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + " "
                    + ex.getRequestHeaders().getFirst("Content-Type") + "\n"
                    + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(answer, -1);
            ex.close();
        });
        receiver.start();
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + SECRET_PATH;
    }

    @AfterEach
    void close() {
        if (receiver != null) {
            receiver.stop(0);
        }
        f.close();
    }

    /** A run, its log kept in f.log. */
    private int once() {
        return run("--once");
    }

    private int run(String... args) {
        return f.runLogged(args);
    }

    private List<String> notificationWarnings() {
        return f.log.stream().filter(l -> l.startsWith("WARN") && l.contains("notification")).toList();
    }

    private void secretNowhere(String url) {
        for (String where : List.of(f.output, String.join("\n", f.log))) {
            assertFalse(where.contains("xyzSecretToken") || where.contains(url), where);
        }
    }

    private JsonNode body(int i) throws IOException {
        return Fixture.JSON.readTree(received.get(i).substring(received.get(i).indexOf('\n') + 1));
    }

    @Test
    void aRunThatFailsIsPostedAndOneThatSucceedsIsNotByDefault() throws Exception {
        List<String> ids = f.seed(2);
        String url = receiver();
        f.set("bulk.notify.url", url);
        f.drop("fine.csv", Fixture.csv("id,is_complete", List.of(ids.get(0) + ",true")));
        assertEquals(0, once(), f.output);
        assertEquals(List.of(), received, "bulk.notify.on=failure: a run with exit code 0 is not posted");

        f.drop("bad-rows.csv", Fixture.csv("id,is_complete", List.of(ids.get(1) + ",true", "task_Other,maybe")));
        assertEquals(1, once(), f.output);
        assertEquals(1, received.size(), "posted before --once exits: " + f.output);
        assertTrue(received.get(0).startsWith("POST " + SECRET_PATH + " application/json"), received.get(0));
        JsonNode body = body(0);
        String text = body.get("text").asText();
        assertTrue(text.startsWith("close-task-bulk: file bad-rows finished (exit 1): 1 UPDATED, 1 INVALID in "), text);
        assertTrue(text.endsWith("/#/run/bad-rows"), text);
        assertEquals(1, body.get("summary").get("counts").get("INVALID").asInt());
        assertEquals("bad-rows", body.get("summary").get("name").asText());
        secretNowhere(url);
    }

    @Test
    void alwaysPostsASuccessToo() throws Exception {
        List<String> ids = f.seed(1);
        f.set("bulk.notify.url", receiver()).set("bulk.notify.on", "always");
        f.drop("fine.csv", Fixture.csv("id,is_complete", List.of(ids.get(0) + ",true")));
        assertEquals(0, once(), f.output);
        assertEquals(1, received.size(), f.output);
        assertTrue(body(0).get("text").asText().startsWith("close-task-bulk: file fine finished (exit 0): 1 UPDATED"));
    }

    @Test
    void aSweepsRunIsPostedLikeAFilesAndSoIsAnAppliedPlans() throws Exception {
        List<String> ids = f.seed(2);
        f.addSweep("tidy", Map.of("enabled", "false", "cron", "0 0 2 * * ?", "time-zone", "UTC",
                "filter", "is_complete=false&assigned_to=" + Fixture.ALICE, "is-complete", "true"));
        f.set("bulk.notify.url", receiver()).set("bulk.notify.on", "always");
        assertEquals(0, run("--sweep", "tidy"), f.output);
        assertEquals(1, received.size(), f.output);
        assertTrue(body(0).get("text").asText().startsWith("close-task-bulk: sweep sweep-tidy-"), body(0).toString());
        assertTrue(body(0).get("text").asText().contains("finished (exit 0): 2 UPDATED"), body(0).toString());
        assertEquals("sweep", body(0).get("summary").get("kind").asText());

        // a plan: its dry run (a file run in preview), then --apply of the plan it wrote
        f.drop("undo.csv", Fixture.csv("id,is_complete", List.of(ids.get(0) + ",false", ids.get(1) + ",false")));
        assertEquals(0, run("--once", "--dry-run"), f.output);
        Path plan = f.reports.resolve("undo.plan.csv");
        assertTrue(Files.exists(plan), f.files(f.reports).toString());
        received.clear();
        assertEquals(0, run("--apply", plan.toString()), f.output);
        assertEquals(1, received.size(), f.output);
        assertTrue(body(0).get("text").asText().startsWith("close-task-bulk: plan undo.plan finished (exit 0): 2 UPDATED"),
                body(0).toString());
    }

    @Test
    void aReceiverThatFailsIsRetriedThenOneWarnLineAndTheExitCodeStands() throws Exception {
        List<String> ids = f.seed(1);
        String url = receiver();
        f.set("bulk.notify.url", url).set("bulk.notify.on", "always");
        answer = 500;
        f.drop("fine.csv", Fixture.csv("id,is_complete", List.of(ids.get(0) + ",true")));
        assertEquals(0, once(), f.output);
        assertEquals(4, received.size(), "the first try and 3 retries: " + f.output);
        List<String> warns = notificationWarnings();
        assertEquals(1, warns.size(), f.log.toString());
        assertTrue(warns.get(0).contains("fine: the notification of its end was not sent, retries spent: the webhook "
                + "answered 500"), warns.get(0));
        secretNowhere(url);
    }

    @Test
    void aReceiverThatIsDownChangesNothingAndOnceStillExitsPromptly() throws Exception {
        List<String> ids = f.seed(1);
        String url = receiver();
        receiver.stop(0); // nothing listens there any more
        receiver = null;
        f.set("bulk.notify.url", url);
        f.drop("bad.csv", Fixture.csv("id,is_complete", List.of(ids.get(0) + ",maybe")));
        long t0 = System.nanoTime();
        assertEquals(1, once(), f.output);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 20_000, "--once took " + ms + " ms");
        List<String> warns = notificationWarnings();
        assertEquals(1, warns.size(), f.log.toString());
        assertTrue(warns.get(0).contains("no connection to the webhook"), warns.get(0));
        secretNowhere(url);
    }
}
