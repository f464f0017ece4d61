package closetaskbulk;

/**
 * Start-up on the second core: while the main thread configures Camel (one thread, mostly), this loads and
 * initializes what the first file needs later (JSON, the CSV parser, the HTTP client and TLS, the meters), so a
 * --once run does not pay for it after "ready". Nothing here has an effect but loaded classes; a failure is
 * ignored (the same work then happens where it is needed).
 */
final class Warmup {

    private Warmup() {
    }

    static void start() {
        Thread t = new Thread(Warmup::run, "warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    private static void run() {
        try {
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            json.writeValueAsString(json.readTree("{\"data\":[{\"id\":\"task_x\",\"is_complete\":false}],\"has_more\":false}"));
            try (var p = org.apache.commons.csv.CSVFormat.DEFAULT.parse(new java.io.StringReader("id,is_complete\nt,true\n"))) {
                p.getRecords();
            }
            org.apache.hc.client5.http.impl.classic.HttpClientBuilder.create().build().close();
            javax.net.ssl.SSLContext.getDefault();
            io.micrometer.core.instrument.Counter.builder("warmup").register(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
            java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(java.time.OffsetDateTime.now());
        } catch (Exception | LinkageError ignored) {
            // only a head start: the same classes load where they are used
        }
    }
}
