package closetaskbulk;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Health and metrics of the running service, on Camel's management server. */
class OpsTest {

    private final Fixture f = new Fixture();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void close() {
        f.close();
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static double meter(String metrics, String line) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(line) + " ([0-9.E]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void healthAndMetersFollowTheWork() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> ids = f.seed(4);
        f.set("camel.management.port", String.valueOf(port)).set("camel.main.duration-max-seconds", "30");
        Thread service = new Thread(() -> f.run());
        service.start();
        int p = port;
        // a start on a busy 2-core machine can take 20 s
        await().atMost(60, TimeUnit.SECONDS).ignoreExceptions().until(() -> get(p, "/observe/health").statusCode() == 200);
        assertTrue(get(port, "/observe/health").body().contains("UP"));

        f.drop("ops.csv", Fixture.csv("id,is_complete", List.of(ids.get(0) + ",true", ids.get(1) + ",true", "task_Nope,true")));
        await().atMost(15, TimeUnit.SECONDS).until(() -> f.files(f.done).contains("ops.csv"));
        String metrics = get(port, "/observe/metrics").body();
        assertEquals(2.0, meter(metrics, "closetaskbulk_rows_total{status=\"UPDATED\"}"), metrics);
        assertEquals(1.0, meter(metrics, "closetaskbulk_rows_total{status=\"NOT_FOUND\"}"));
        assertEquals(1.0, meter(metrics, "closetaskbulk_requests_total{group=\"write\",status=\"200\"}"));
        assertEquals(1.0, meter(metrics, "closetaskbulk_requests_total{group=\"read\",status=\"200\"}"));
        assertTrue(metrics.contains("closetaskbulk_run_duration_seconds_count{kind=\"file\"} 1"), metrics);
        // every meter of ours says what it counts; the JVM's and the process's meters are there too
        Matcher help = Pattern.compile("(?m)^# HELP (closetaskbulk_\\w+) (.*)$").matcher(metrics);
        int described = 0;
        while (help.find()) {
            assertTrue(help.group(2).length() > 20, help.group());
            described++;
        }
        assertTrue(described >= 4, metrics);
        for (String meter : List.of("jvm_memory_used_bytes", "jvm_gc_", "jvm_threads_live_threads", "process_cpu_usage",
                "system_cpu_count", "process_uptime_seconds")) {
            assertTrue(metrics.contains(meter), meter + " in " + metrics);
        }

        f.emulator.revokeKey(Fixture.KEY);
        f.drop("ops2.csv", Fixture.csv("id,is_complete", List.of(ids.get(2) + ",true")));
        await().atMost(15, TimeUnit.SECONDS).until(() -> get(p, "/observe/health").statusCode() == 503);
        String down = get(port, "/observe/health").body();
        assertTrue(down.contains("DOWN"), down);
        assertEquals(503, get(port, "/observe/health/ready").statusCode());
        String detail = get(port, "/observe/health?exposureLevel=full").body();
        assertTrue(detail.contains("401"), detail);
        assertFalse(detail.contains(Fixture.KEY) || down.contains(Fixture.KEY));
        assertEquals(1.0, meter(get(port, "/observe/metrics").body(),
                "closetaskbulk_requests_total{group=\"read\",status=\"401\"}"));
        service.join(60_000);
        assertFalse(service.isAlive(), "the service ends after camel.main.duration-max-seconds");
    }
}
