import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import closetaskbulk.emulator.CloseEmulator;

/**
 * Drives target/close-task-bulk.jar (a child JVM per run) against the Close emulator (in this JVM) and
 * writes docs/BENCHMARKS.md. Every figure is the median of RUNS runs. Run with bench/run.sh.
 */
public class Bench {

    static final int RUNS = 3;
    static final String KEY = "bench-key";
    static final String ALICE = "user_Alice0000000000000000000000000000000001";
    static final String BOB = "user_Bob00000000000000000000000000000000002";
    static final ObjectMapper JSON = new ObjectMapper();
    /** The jar under test: -Dbench.jar=<other build's jar> measures another build with the same harness (A/B). */
    static String jar = System.getProperty("bench.jar", "target/close-task-bulk.jar");
    /** The unpacked distribution's launcher (bench/run.sh unpacks it): runs through it when set. */
    static String launcher = null;
    static final StringBuilder md = new StringBuilder();

    record Run(long wallMs, long fileMs, JsonNode summary, long puts, long reads, long r429, long peakRssKb,
               long peakHeapMb, long readyMs, Path dir) {
    }

    interface Section {
        void run() throws Exception;
    }

    static void profile() throws Exception {
        try (CloseEmulator e = emulator(20_000)) {
            Run r = run(e, rows(20_000), Map.of(), "-Xmx512m -XX:StartFlightRecording=filename="
                    + Path.of("target/bench/overhead.jfr").toAbsolutePath() + ",settings=profile,jdk.FileForce#threshold=0ms");
            md.append("the file's run: ").append(r.fileMs).append(" ms; recording: target/bench/overhead.jfr\n");
        }
    }

    public static void main(String[] args) throws Exception {
        // bash bench/run.sh <section>: one part alone, printed (the whole run rewrites docs/BENCHMARKS.md)
        Section only = switch (args.length > 0 ? args[0] : "") {
            case "real-run" -> Bench::realRunCost; // 5b (about 3 minutes)
            case "extra-columns" -> Bench::extraColumnsCost; // 5c (about 3 minutes)
            case "resume" -> Bench::resumeCost; // 5d (about 4 minutes)
            case "local-cost" -> () -> { // 5 and 5b (about 8 minutes)
                localCost();
                realRunCost();
            };
            case "launcher" -> Bench::onceThroughLauncher; // 7 through bin/close-task-bulk
            case "rate-limit" -> Bench::rateLimitOnly; // 2 at concurrency 2 and 4 (about 2 minutes)
            case "pacer" -> Bench::pacerOnly; // the pacer alone against section 2's limit (about 2 minutes)
            case "profile" -> Bench::profile; // section 3's no-latency run once, under JFR
            case "once" -> Bench::once; // 7 (under a minute)
            case "overhead" -> Bench::overheadOnly; // 3 without latency: the bundle and the plain loop
            case "ab" -> () -> ab(args); // two builds' jars alternately, one case
            case "" -> null;
            default -> throw new IllegalArgumentException("no section " + args[0]);
        };
        if (only != null) {
            only.run();
            System.out.println(md);
            return;
        }
        md.append("# Benchmarks\n\nReproduce: `bash bench/run.sh` (about 10 minutes). Each figure is the median of ")
                .append(RUNS).append(" runs; every run is a fresh JVM of `target/close-task-bulk.jar` (`--once`) ")
                .append("against the Close emulator in the harness's JVM, on loopback.\n\n")
                .append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
                .append(System.getProperty("java.version")).append(", ").append(System.getProperty("os.name"))
                .append(' ').append(System.getProperty("os.arch")).append(", run on ").append(LocalDate.now())
                .append(".\n\n");
        requests();
        throughput();
        perTask();
        localCost();
        realRunCost();
        extraColumnsCost();
        resumeCost();
        startup();
        once();
        onceThroughLauncher();
        Files.writeString(Path.of("docs/BENCHMARKS.md"), md.toString());
        System.out.println(md);
    }

    // ---- 1. requests sent against the minimum
    static void requests() throws Exception {
        int n = 100_000;
        List<Run> runs = new ArrayList<>();
        long minimum = 0;
        for (int r = 0; r < RUNS; r++) {
            try (CloseEmulator e = emulator(n)) {
                StringBuilder sb = new StringBuilder("id,assigned_to,date,is_complete\n");
                int[] per = new int[4];
                for (int i = 0; i < n; i++) {
                    int u = (i * 7 + i / 13) % 4;
                    per[u]++;
                    sb.append(id(i)).append(switch (u) {
                        case 0 -> "," + BOB + ",,";
                        case 1 -> ",,2027-01-15,";
                        case 2 -> ",,,true";
                        default -> "," + BOB + ",2027-02-01,true";
                    }).append('\n');
                }
                minimum = 0;
                for (int c : per) {
                    minimum += (c + 99) / 100;
                }
                runs.add(run(e, sb.toString(), Map.of()));
            }
        }
        Run m = median(runs);
        md.append("## 1. Requests for a 100,000-row file\n\n4 distinct updates, interleaved; batch size 100; no latency.\n\n")
                .append("| | sent | minimum (ceil(rows per update / 100), summed) |\n|---|---|---|\n")
                .append("| writes (PUT) | ").append(m.puts).append(" | ").append(minimum).append(" |\n")
                .append("| reads (list) | ").append(m.reads).append(" | ").append(minimum).append(" |\n\n")
                .append(m.puts == minimum && m.reads == minimum ? "Target met: equal. Exact by construction: "
                        + "rows are grouped by update and cut only at the batch size.\n\n" : "**Target missed.**\n\n");
    }

    /** Section 2's case: n rows at 20 requests/s per group (burst 20), 50 ms latency; the median of RUNS. */
    static Run atRateLimit(int n, int concurrency) throws Exception {
        List<Run> runs = new ArrayList<>();
        for (int r = 0; r < RUNS; r++) {
            try (CloseEmulator e = emulator(n)) {
                e.rateLimits().set(20, 20);
                e.faults().latency(50, 0);
                runs.add(run(e, rows(n), Map.of("close.concurrency", String.valueOf(concurrency))));
            }
        }
        runs.forEach(r -> System.out.println("  concurrency " + concurrency + ": " + r.fileMs + " ms, " + r.r429 + " 429s"));
        return median(runs);
    }

    /** `bash bench/run.sh rate-limit`: section 2's table for concurrency 2 and 4 only. */
    static void rateLimitOnly() throws Exception {
        int n = 20_000;
        double boundS = (n / 100) / 20.0;
        md.append("| close.concurrency | time (s) | vs bound | 429s |\n|---|---|---|---|\n");
        for (int c : new int[] {2, 4}) {
            Run m = atRateLimit(n, c);
            md.append("| ").append(c).append(" | ").append(fmt(m.fileMs / 1000.0)).append(" | ")
                    .append(fmt(m.fileMs / 1000.0 / boundS)).append("x | ").append(m.r429).append(" |\n");
        }
    }

    /**
     * `bash bench/run.sh pacer`: section 2's case with the pacer alone, no Camel and no HTTP: workers that read
     * then write 200 batches through closetaskbulk.close.Pacer against the emulator's token bucket (20/s, burst
     * 20), 50 ms per call. Threads mostly sleep, so the figure holds on a busy machine where the full run's
     * does not: it isolates the pacer's timing.
     */
    static void pacerOnly() throws Exception {
        double boundS = 200 / 20.0;
        md.append("| close.concurrency | time (s) | vs bound | 429s |\n|---|---|---|---|\n");
        for (int c : new int[] {2, 4}) {
            List<long[]> runs = new ArrayList<>();
            for (int r = 0; r < RUNS; r++) {
                runs.add(pacedBatches(c, 200));
                System.out.println("  concurrency " + c + ": " + runs.get(r)[0] + " ms, " + runs.get(r)[1] + " 429s");
            }
            runs.sort(java.util.Comparator.comparingLong(x -> x[0]));
            long[] m = runs.get(RUNS / 2);
            md.append("| ").append(c).append(" | ").append(fmt(m[0] / 1000.0)).append(" | ")
                    .append(fmt(m[0] / 1000.0 / boundS)).append("x | ").append(m[1]).append(" |\n");
        }
    }

    /** `bash bench/run.sh overhead`: section 3's case without latency or limit, the bundle and the plain loop. */
    static void overheadOnly() throws Exception {
        List<Run> bundle = new ArrayList<>();
        List<Long> plain = new ArrayList<>();
        for (int r = 0; r < RUNS; r++) {
            try (CloseEmulator e = emulator(20_000)) {
                bundle.add(run(e, rows(20_000), Map.of()));
            }
            plain.add(plainLoopMs());
            System.out.println("  bundle " + bundle.get(r).fileMs + " ms, plain loop " + plain.get(r) + " ms");
        }
        Collections.sort(plain);
        long b = median(bundle).fileMs;
        long l = plain.get(RUNS / 2);
        md.append("| bundle (s) | plain loop (s) | ratio |\n|---|---|---|\n| ").append(fmt(b / 1000.0)).append(" | ")
                .append(fmt(l / 1000.0)).append(" | ").append(fmt((double) b / l)).append(" |\n");
    }

    /** Section 3's plain loop on 20,000 rows without latency or limit, in ms. */
    static long plainLoopMs() throws Exception {
        try (CloseEmulator e = emulator(20_000)) {
            budget.clear();
            long t0 = System.nanoTime();
            plainLoop(e, 20_000);
            return (System.nanoTime() - t0) / 1_000_000;
        }
    }

    /**
     * `bash bench/run.sh ab <case> <pairs> <jar A> <jar B>`: two builds run one case alternately (A then B, then
     * B then A, …), each from its own project folder (its config/ and routes/), so that a loaded machine weighs on
     * both alike; prints every run and the medians. Cases: overhead (section 3 without latency: s; the plain loop
     * runs in every pair too), rate-limit-2 and rate-limit-4 (section 2 at that concurrency: s), latency-2 and
     * latency-4 (the same without the rate limit: what the latency and the local work alone cost), real-run (5b at
     * 1,000,000 rows: rows/s), dry-run (5 at 1,000,000 rows: rows/s), once (7: ms from start to exit).
     */
    static void ab(String[] args) throws Exception {
        String what = args[1];
        int pairs = Integer.parseInt(args[2]);
        String[] jars = {args[3], args[4]};
        List<List<Double>> figures = List.of(new ArrayList<>(), new ArrayList<>());
        List<Double> plain = new ArrayList<>();
        long limited = 0;
        for (int p = 0; p < pairs; p++) {
            for (int k = 0; k < 2; k++) {
                int which = p % 2 == 0 ? k : 1 - k;
                jar = jars[which];
                double[] f = abCase(what);
                figures.get(which).add(f[0]);
                limited += (long) f[1];
                System.out.println("pair " + (p + 1) + " " + "AB".charAt(which) + ": " + fmt(f[0])
                        + (f[1] > 0 ? " (" + (long) f[1] + " 429s)" : ""));
            }
            if (what.equals("overhead")) {
                plain.add(plainLoopMs() / 1000.0);
                System.out.println("pair " + (p + 1) + " plain loop: " + fmt(plain.get(p)));
            }
        }
        double a = medianOf(figures.get(0));
        double b = medianOf(figures.get(1));
        md.append("| ").append(what).append(" (median of ").append(pairs).append(") | A: ").append(jars[0])
                .append(" | B: ").append(jars[1]).append(" | B / A |");
        if (what.equals("overhead")) {
            md.append(" plain loop | A / loop | B / loop |");
        }
        md.append("\n|---|---|---|---|").append(what.equals("overhead") ? "---|---|---|" : "").append("\n| | ")
                .append(fmt(a)).append(" | ").append(fmt(b)).append(" | ").append(fmt(b / a)).append(" |");
        if (what.equals("overhead")) {
            double l = medianOf(plain);
            md.append(' ').append(fmt(l)).append(" | ").append(fmt(a / l)).append(" | ").append(fmt(b / l)).append(" |");
        }
        md.append("\n\n429s in all runs: ").append(limited).append('\n');
    }

    /** One run of an A/B case with the current jar: {figure, 429s}. */
    static double[] abCase(String what) throws Exception {
        int n = switch (what) {
            case "overhead", "rate-limit-2", "rate-limit-4", "latency-2", "latency-4" -> 20_000;
            case "real-run", "dry-run" -> 1_000_000;
            case "once" -> 15;
            default -> throw new IllegalArgumentException("no A/B case " + what);
        };
        try (CloseEmulator e = emulator(n)) {
            Map<String, String> settings = Map.of();
            String jvm = "-Xmx512m";
            if (what.startsWith("rate-limit-")) {
                e.rateLimits().set(20, 20);
                e.faults().latency(50, 0);
                settings = Map.of("close.concurrency", what.substring("rate-limit-".length()));
            } else if (what.startsWith("latency-")) { // section 2 without the limit: what latency alone costs
                e.faults().latency(50, 0);
                settings = Map.of("close.concurrency", what.substring("latency-".length()));
            } else if (what.equals("real-run")) {
                jvm = "-Xmx256m";
            } else if (what.equals("dry-run")) {
                settings = Map.of("bulk.dry-run", "true");
            }
            Run r = run(e, rows(n), settings, jvm);
            double figure = switch (what) {
                case "real-run", "dry-run" -> n * 1000.0 / Math.max(1, r.fileMs);
                case "once" -> r.wallMs;
                default -> r.fileMs / 1000.0;
            };
            return new double[] {figure, r.r429};
        }
    }

    static double medianOf(List<Double> figures) {
        List<Double> sorted = new ArrayList<>(figures);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    /** {time in ms, 429s} for {@code batches} read-then-write batches on {@code workers} threads. */
    static long[] pacedBatches(int workers, int batches) throws Exception {
        closetaskbulk.emulator.RateLimits close = new closetaskbulk.emulator.RateLimits().set(20, 20);
        closetaskbulk.close.Pacer pacer = new closetaskbulk.close.Pacer(600_000, 0);
        org.apache.camel.CamelContext camel = new org.apache.camel.impl.DefaultCamelContext();
        java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(batches);
        java.util.concurrent.atomic.AtomicLong limited = new java.util.concurrent.atomic.AtomicLong();
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int w = 0; w < workers; w++) {
            Thread t = new Thread(() -> {
                while (left.getAndDecrement() > 0) {
                    for (String group : new String[] {"read", "write"}) {
                        while (true) {
                            pacer.acquire(new org.apache.camel.support.DefaultExchange(camel), group);
                            closetaskbulk.emulator.RateLimits.Answer a = close.take(group);
                            sleep(50);
                            if (a.allowed()) {
                                pacer.update(group, a.header());
                                break;
                            }
                            limited.incrementAndGet();
                            pacer.rateLimited(group, a.header(), "1");
                        }
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        return new long[] {(System.nanoTime() - t0) / 1_000_000, limited.get()};
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- 2, 3. throughput at 20 requests/s per group, 50 ms latency; against a plain HttpClient loop
    static void throughput() throws Exception {
        int n = 20_000;
        Map<Integer, Run> byConcurrency = new LinkedHashMap<>();
        for (int c : new int[] {1, 2, 4}) {
            byConcurrency.put(c, atRateLimit(n, c));
        }
        List<Long> plain = new ArrayList<>();
        List<Long> plain429 = new ArrayList<>();
        for (int r = 0; r < RUNS; r++) {
            try (CloseEmulator e = emulator(n)) {
                e.rateLimits().set(20, 20);
                e.faults().latency(50, 0);
                long t0 = System.nanoTime();
                plainLoop(e, n);
                plain.add((System.nanoTime() - t0) / 1_000_000);
                plain429.add((long) e.requests(x -> x.status() == 429).size());
            }
        }
        Collections.sort(plain);
        long plainMs = plain.get(RUNS / 2);
        double boundS = (n / 100) / 20.0;
        md.append("## 2. Throughput against Close's rate limit\n\n20,000 rows, one update (200 batches); emulator at ")
                .append("20 requests/s per endpoint group (token bucket, burst 20) and 50 ms latency per call. ")
                .append("Bound: 200 writes / 20 per second = ").append(fmt(boundS)).append(" s (reads are a separate ")
                .append("group and can overlap). Time is the file's run (summary start to end), without JVM start.\n\n")
                .append("| close.concurrency | time (s) | vs bound | 429s |\n|---|---|---|---|\n");
        byConcurrency.forEach((c, m) -> md.append("| ").append(c).append(" | ").append(fmt(m.fileMs / 1000.0))
                .append(" | ").append(fmt(m.fileMs / 1000.0 / boundS)).append("x | ").append(m.r429).append(" |\n"));
        Run def = byConcurrency.get(4);
        md.append("\nThe default is 4. Limited by: at concurrency 1, latency (each batch is a read then a write, ")
                .append("at least 2 x 50 ms, so 200 batches take ~20 s however generous the limit). From 2 up, reads ")
                .append("overlap writes and the limit binds. The pacer is conservative: after a burst it waits for ")
                .append("Close's `reset` (the bucket full again) rather than trickling, which costs a few percent ")
                .append("against the bound and is why 2 stays just above the target while 4 meets it.\n\n")
                .append("## 3. Overhead against a plain client\n\nThe same 200 batches (a list call, then a PUT, per batch) ")
                .append("sent by a minimal sequential `java.net.http.HttpClient` loop that also honours `RateLimit`, ")
                .append("against the same emulator settings: **").append(fmt(plainMs / 1000.0)).append(" s** (")
                .append(plain429.get(RUNS / 2)).append(" 429s). The bundle at its default concurrency: ")
                .append(fmt(def.fileMs / 1000.0)).append(" s, ratio ").append(fmt((double) def.fileMs / plainMs))
                .append(" (target at most 1.15); at concurrency 1, like the loop: ")
                .append(fmt((double) byConcurrency.get(1).fileMs / plainMs)).append(". Limited by: the same ")
                .append("rate limit and latency as the loop; our extra cost per call (Camel routing, JSON, the journal's ")
                .append("fsync per batch) is small next to 50 ms.\n\n");
        // the overhead that latency hides: no latency, no rate limit
        List<Run> fast = new ArrayList<>();
        List<Long> fastPlain = new ArrayList<>();
        for (int r = 0; r < RUNS; r++) {
            try (CloseEmulator e = emulator(n)) {
                fast.add(run(e, rows(n), Map.of()));
            }
            try (CloseEmulator e = emulator(n)) {
                budget.clear();
                long t0 = System.nanoTime();
                plainLoop(e, n);
                fastPlain.add((System.nanoTime() - t0) / 1_000_000);
            }
        }
        Collections.sort(fastPlain);
        Run f = median(fast);
        long fastPlainMs = fastPlain.get(RUNS / 2);
        md.append("Without latency or rate limit (the overhead latency hides), the same 20,000 rows: the bundle ")
                .append(fmt(f.fileMs / 1000.0)).append(" s at its default concurrency, the plain loop ")
                .append(fmt(fastPlainMs / 1000.0)).append(" s; ratio ").append(fmt((double) f.fileMs / fastPlainMs))
                .append(". Limited by: the emulator's own work per call on the same 2 cores, and per batch the ")
                .append("journal's fsync before each write.\n\n");
    }

    // ---- 4. one call per task
    static void perTask() throws Exception {
        int n = 500;
        List<Long> perTaskMs = new ArrayList<>();
        List<Run> bulk = new ArrayList<>();
        for (int r = 0; r < RUNS; r++) {
            try (CloseEmulator e = emulator(n)) {
                e.rateLimits().set(20, 20);
                e.faults().latency(50, 0);
                HttpClient http = HttpClient.newHttpClient();
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    send(http, e, "PUT", "/task/" + id(i) + "/", "{\"assigned_to\":\"" + BOB + "\"}", "PUT /task/{id}/");
                }
                perTaskMs.add((System.nanoTime() - t0) / 1_000_000);
            }
            try (CloseEmulator e = emulator(n)) {
                e.rateLimits().set(20, 20);
                e.faults().latency(50, 0);
                bulk.add(run(e, rows(n), Map.of()));
            }
        }
        Collections.sort(perTaskMs);
        Run b = median(bulk);
        long calls = b.puts + b.reads;
        md.append("## 4. Against one call per task\n\n500 rows, same limit and latency. One `PUT /task/{id}/` per row ")
                .append("(what Close's scripts and most connectors do): ").append(n).append(" calls, ")
                .append(fmt(perTaskMs.get(RUNS / 2) / 1000.0)).append(" s. The bundle: ").append(calls)
                .append(" calls (reads included), ").append(fmt(b.fileMs / 1000.0)).append(" s. Ratio: ")
                .append(n / Math.max(1, calls)).append("x fewer calls, ")
                .append(fmt(perTaskMs.get(RUNS / 2) / (double) Math.max(1, b.fileMs))).append("x faster.\n\n");
    }

    // ---- 5. local cost: dry run, no latency
    static void localCost() throws Exception {
        md.append("## 5. Local cost\n\nDry run (reads only), no latency, `-Xmx512m`, the emulator holding every task.\n\n")
                .append("| rows | rows/s | peak heap (MB, from GC log) | peak RSS (MB) |\n|---|---|---|---|\n");
        long[] rss = new long[2];
        int k = 0;
        for (int n : new int[] {100_000, 1_000_000}) {
            List<Run> runs = new ArrayList<>();
            for (int r = 0; r < RUNS; r++) {
                try (CloseEmulator e = emulator(n)) {
                    runs.add(run(e, rows(n), Map.of("bulk.dry-run", "true")));
                }
            }
            Run m = median(runs);
            rss[k++] = m.peakRssKb;
            md.append("| ").append(String.format(Locale.ROOT, "%,d", n)).append(" | ")
                    .append(String.format(Locale.ROOT, "%,d", n * 1000L / Math.max(1, m.fileMs))).append(" | ")
                    .append(m.peakHeapMb).append(" | ").append(m.peakRssKb / 1024).append(" |\n");
        }
        md.append("\nRSS at 1,000,000 rows / at 100,000: ").append(fmt((double) rss[1] / rss[0]))
                .append(" (target at most 1.3). Rows are streamed; what grows with rows is a few bytes of result ")
                .append("per line and 12 bytes per id for duplicate detection. Limited by: the list calls (one per ")
                .append("100 rows, on loopback) and CSV parsing, on 2 cores shared with the emulator. The 100,000-row ")
                .append("rate is lower because JIT warm-up is a larger share of a short run.\n\n");
    }

    // ---- 5b. local cost of a real run: writes, a journal, an undo file, under -Xmx256m
    static void realRunCost() throws Exception {
        md.append("## 5b. Local cost of a real run\n\nEvery row written (reads, writes, the journal, the undo file), ")
                .append("no latency, `-Xmx256m`, one run each (`bash bench/run.sh real-run`).\n\n")
                .append("| rows | rows/s | requests | peak heap (MB, from GC log) | peak RSS (MB) |\n|---|---|---|---|---|\n");
        long[] rss = new long[2];
        int k = 0;
        for (int n : new int[] {100_000, 1_000_000}) {
            Run m;
            try (CloseEmulator e = emulator(n)) {
                m = run(e, rows(n), Map.of(), System.getProperty("bench.jvm", "-Xmx256m"));
            }
            if (m.summary().path("counts").path("UPDATED").asInt() != n) {
                throw new IllegalStateException("not every row UPDATED: " + m.summary());
            }
            rss[k++] = m.peakRssKb;
            md.append("| ").append(String.format(Locale.ROOT, "%,d", n)).append(" | ")
                    .append(String.format(Locale.ROOT, "%,d", n * 1000L / Math.max(1, m.fileMs))).append(" | ")
                    .append(m.summary().path("requests").path("total").asInt()).append(" | ")
                    .append(m.peakHeapMb).append(" | ").append(m.peakRssKb / 1024).append(" |\n");
        }
        md.append("\nRSS at 1,000,000 rows / at 100,000: ").append(fmt((double) rss[1] / rss[0]))
                .append(" (target at most 1.3). The journal keeps no read in memory (each batch holds its own until ")
                .append("it is written), and the undo file is appended as batches are confirmed.\n\n");
    }

    // ---- 5c. a real run whose file has five columns of its own, carried to the reports (bulk.extra-columns)
    static void extraColumnsCost() throws Exception {
        md.append("## 5c. A real run with five carried columns\n\nAs 5b, the 1,000,000-row file with five columns of ")
                .append("its own besides `id,assigned_to` (`lead_name,contact,notes,text,region`, about 150 bytes a row), ")
                .append("carried to the results (`bash bench/run.sh extra-columns`).\n\n")
                .append("| rows | extra columns | file (MB) | rows/s | peak heap (MB, from GC log) | peak RSS (MB) |\n")
                .append("|---|---|---|---|---|---|\n");
        long[] rss = new long[2];
        int k = 0;
        for (int n : new int[] {100_000, 1_000_000}) {
            String csv = n == 100_000 ? rows(n) : rowsWithContext(n);
            Run m;
            try (CloseEmulator e = emulator(n)) {
                m = run(e, csv, Map.of(), System.getProperty("bench.jvm", "-Xmx256m"));
            }
            if (m.summary().path("counts").path("UPDATED").asInt() != n) {
                throw new IllegalStateException("not every row UPDATED: " + m.summary());
            }
            if (n == 1_000_000) {
                try (var lines = Files.lines(m.dir().resolve("reports/bench.results.csv"))) {
                    List<String> head = lines.limit(2).toList();
                    if (!head.get(0).endsWith(",assigned_to,lead_name,contact,notes,text,region")
                            || !head.get(1).contains(",Lead 0,")) {
                        throw new IllegalStateException("the carried columns are not in the results: " + head);
                    }
                }
            }
            rss[k++] = m.peakRssKb;
            md.append("| ").append(String.format(Locale.ROOT, "%,d", n)).append(" | ").append(n == 100_000 ? 0 : 5)
                    .append(" | ").append(csv.length() >> 20).append(" | ")
                    .append(String.format(Locale.ROOT, "%,d", n * 1000L / Math.max(1, m.fileMs))).append(" | ")
                    .append(m.peakHeapMb).append(" | ").append(m.peakRssKb / 1024).append(" |\n");
        }
        md.append("\nRSS at 1,000,000 rows with five carried columns / at 100,000 rows without: ")
                .append(fmt((double) rss[1] / rss[0])).append(" (target at most 1.3, as 5b). A real run keeps no carried ")
                .append("value in memory: the results and retry files read them from the file again when they are ")
                .append("written. A dry run's batches hold the carried cells of the rows in flight, for its plan.\n\n");
    }

    static String rowsWithContext(int n) {
        StringBuilder sb = new StringBuilder("id,assigned_to,lead_name,contact,notes,text,region\n");
        for (int i = 0; i < n; i++) {
            sb.append(id(i)).append(',').append(BOB).append(",Lead ").append(i).append(",c").append(i)
                    .append("@example.com,\"called twice, left a message\",Follow up on the renewal quote,EMEA\n");
        }
        return sb.toString();
    }

    // ---- 5d. resuming a run killed at 90 %, under -Xmx256m: the journal is read line by line, not held
    static void resumeCost() throws Exception {
        int n = 1_000_000;
        int killAt = 9_000; // of 10,000 writes (batches of 100)
        md.append("## 5d. Resuming a killed run\n\nA real run of ").append(String.format(Locale.ROOT, "%,d", n))
                .append(" rows killed (SIGKILL) when Close answers write ").append(String.format(Locale.ROOT, "%,d", killAt))
                .append(" of 10,000, then started again: the resume reads the journal (10,000 batches) line by line, ")
                .append("keeping where each batch's read is and which are confirmed, and sends only the rest. ")
                .append("No latency, `-Xmx256m` for both runs (`bash bench/run.sh resume`).\n\n")
                .append("| run | wall (s) | writes sent | peak heap (MB, from GC log) | peak RSS (MB) |\n|---|---|---|---|---|\n");
        try (CloseEmulator e = emulator(n)) {
            Path dir = Files.createTempDirectory("ctb-bench");
            java.util.concurrent.atomic.AtomicReference<Process> running = new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.atomic.AtomicInteger writes = new java.util.concurrent.atomic.AtomicInteger();
            e.onRequest(r -> {
                if (r.group().equals("PUT /task/") && writes.incrementAndGet() == killAt && running.get() != null) {
                    running.get().destroyForcibly();
                }
            });
            String xmx = System.getProperty("bench.jvm", "-Xmx256m");
            Run killed = run(e, dir, rows(n), Map.of(), xmx, running::set, true);
            long firstWrites = e.requests("PUT /task/").size();
            running.set(null);
            Run resumed = run(e, dir, null, Map.of(), xmx, p -> { }, false);
            if (resumed.summary().path("counts").path("UPDATED").asInt() != n) {
                throw new IllegalStateException("not every row UPDATED after the resume: " + resumed.summary());
            }
            md.append("| killed at 90 % | ").append(killed.wallMs / 1000).append(" | ").append(firstWrites).append(" | ")
                    .append(killed.peakHeapMb).append(" | ").append(killed.peakRssKb / 1024).append(" |\n");
            md.append("| resumed to the end | ").append(resumed.wallMs / 1000).append(" | ")
                    .append(e.requests("PUT /task/").size() - firstWrites).append(" | ").append(resumed.peakHeapMb)
                    .append(" | ").append(resumed.peakRssKb / 1024).append(" |\n");
            md.append("\nEvery row ends `UPDATED` once; the writes sent again are those whose answer the killed process ")
                    .append("had not journaled (at most `close.concurrency`).\n\n");
        }
    }

    // ---- 6. start-up
    static void startup() throws Exception {
        List<Run> runs = new ArrayList<>();
        for (int r = 0; r < RUNS; r++) {
            try (CloseEmulator e = emulator(0)) {
                runs.add(run(e, null, Map.of()));
            }
        }
        md.append("## 6. Start-up\n\nFrom launching `java -jar` to the \"ready\" log line (routes started, inbox ")
                .append("watched): **").append(median(runs).readyMs).append(" ms**. Limited by: JVM start and ")
                .append("loading the YAML routes.\n\n");
    }

    // ---- 7. --once: from process start to exit, for a small file already in the inbox
    static void once() throws Exception {
        List<Long> bare = new ArrayList<>();
        List<Run> runs = new ArrayList<>();
        for (int r = 0; r < RUNS; r++) {
            long t0 = System.nanoTime();
            new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    "target/bench", "Bench$Bare").inheritIO().start().waitFor();
            bare.add((System.nanoTime() - t0) / 1_000_000);
            try (CloseEmulator e = emulator(15)) {
                runs.add(run(e, rows(15), Map.of()));
            }
        }
        Collections.sort(bare);
        long bareMs = bare.get(RUNS / 2);
        List<Run> sorted = new ArrayList<>(runs);
        sorted.sort((a, b) -> Long.compare(a.wallMs, b.wallMs));
        Run m = sorted.get(RUNS / 2);
        md.append("## 7. A small file with --once\n\nA 15-row file already in the inbox (older than ")
                .append("`bulk.read-lock-min-age`), `java -jar target/close-task-bulk.jar --once`, from process start ")
                .append("to exit: **").append(m.wallMs).append(" ms** (the file's run itself: ").append(m.fileMs)
                .append(" ms). A bare JVM that starts and exits (an empty `main`): ").append(bareMs)
                .append(" ms; ratio ").append(fmt((double) m.wallMs / bareMs)).append(" (target: at most 2.5 s on this ")
                .append("machine). Limited by: the JVM loading and verifying about 6,000 classes and compiling the hot ")
                .append("ones on both cores, while Camel reads the YAML routes.\n\n");
        // the same run with JVM options a cron user can set (JDK_JAVA_OPTIONS): C1 only, and a class data archive
        Path jsa = Path.of("target/bench/close-task-bulk.jsa");
        Files.deleteIfExists(jsa);
        try (CloseEmulator e = emulator(15)) {
            run(e, rows(15), Map.of(), "-Xmx512m -XX:ArchiveClassesAtExit=" + jsa);
        }
        md.append("| JVM options (`JDK_JAVA_OPTIONS`) | start to exit (ms) | ratio |\n|---|---|---|\n")
                .append("| none | ").append(m.wallMs).append(" | ").append(fmt((double) m.wallMs / bareMs)).append(" |\n");
        for (String opts : List.of("-XX:TieredStopAtLevel=1", "-XX:SharedArchiveFile=" + jsa,
                "-XX:TieredStopAtLevel=1 -XX:SharedArchiveFile=" + jsa)) {
            List<Long> walls = new ArrayList<>();
            for (int r = 0; r < RUNS; r++) {
                try (CloseEmulator e = emulator(15)) {
                    walls.add(run(e, rows(15), Map.of(), "-Xmx512m -Xlog:cds=off -Xlog:cds+dynamic=off " + opts).wallMs);
                }
            }
            Collections.sort(walls);
            long w = walls.get(RUNS / 2);
            md.append("| `").append(opts.replace(jsa.toString(), "<archive>")).append("` | ").append(w).append(" | ")
                    .append(fmt((double) w / bareMs)).append(" |\n");
        }
        md.append("\nThe archive is made once by a run with `-XX:ArchiveClassesAtExit=<archive>` (about 33 MB; remake it ")
                .append("after a new build or a new JDK). C1 alone compiles less well: right for short cron runs, not for ")
                .append("the service or very large files.\n");
    }

    // ---- 7b. --once through the distribution's launcher, with the class data archive it keeps
    static void onceThroughLauncher() throws Exception {
        launcher = Path.of("target/bench/dist").toAbsolutePath().resolve(Files.list(Path.of("target/bench/dist"))
                .findFirst().orElseThrow().getFileName()).resolve("bin/close-task-bulk").toString();
        Path cds = Files.createDirectories(Path.of("target/bench/cds").toAbsolutePath());
        try (var old = Files.list(cds)) {
            for (Path p : old.toList()) {
                Files.delete(p);
            }
        }
        md.append("### 7b. Through the launcher\n\nThe same 15-row `--once` run started as `bin/close-task-bulk --once` ")
                .append("from the unpacked archive, from process start to exit, median of ").append(RUNS)
                .append(" after one run that made the class data archive:\n\n| `JAVA_OPTS` | start to exit (ms) |\n|---|---|\n");
        try {
            for (String opts : List.of("", "-XX:TieredStopAtLevel=1")) {
                try (CloseEmulator e = emulator(15)) {
                    run(e, rows(15), Map.of(), "-Xmx512m " + opts); // makes the archive (the first time)
                }
                List<Long> walls = new ArrayList<>();
                for (int r = 0; r < RUNS; r++) {
                    try (CloseEmulator e = emulator(15)) {
                        walls.add(run(e, rows(15), Map.of(), "-Xmx512m " + opts).wallMs);
                    }
                }
                Collections.sort(walls);
                md.append("| ").append(opts.isEmpty() ? "none" : "`" + opts + "`").append(" | ")
                        .append(walls.get(RUNS / 2)).append(" |\n");
            }
        } finally {
            launcher = null;
        }
        md.append("\n");
    }

    /** An empty program: the JVM's bare start-up and exit. */
    public static final class Bare {
        public static void main(String[] args) {
        }
    }

    // ---- helpers
    static CloseEmulator emulator(int tasks) throws IOException {
        CloseEmulator e = new CloseEmulator().addKey(KEY).start();
        e.store().addUser(ALICE);
        e.store().addUser(BOB);
        for (int i = 0; i < tasks; i++) {
            ObjectNode t = JSON.createObjectNode();
            t.put("id", id(i)).put("_type", "lead").put("assigned_to", ALICE).put("date", "2026-12-01").put("is_complete", false);
            e.store().put(t);
        }
        return e;
    }

    static String id(int i) {
        return String.format("task_B%07d", i);
    }

    static String rows(int n) {
        StringBuilder sb = new StringBuilder("id,assigned_to\n");
        for (int i = 0; i < n; i++) {
            sb.append(id(i)).append(',').append(BOB).append('\n');
        }
        return sb.toString();
    }

    /** One --once run of the jar on one file; null file: measure start-up only. */
    static Run run(CloseEmulator e, String csv, Map<String, String> settings) throws Exception {
        return run(e, csv, settings, "-Xmx512m");
    }

    static Run run(CloseEmulator e, String csv, Map<String, String> settings, String xmx) throws Exception {
        return run(e, Files.createTempDirectory("ctb-bench"), csv, settings, xmx, p -> { }, false);
    }

    /** A run in {@code dir} (csv null: the inbox as it is); {@code killed}: it is expected to be killed. */
    static Run run(CloseEmulator e, Path dir, String csv, Map<String, String> settings, String xmx,
                   java.util.function.Consumer<Process> started, boolean killed) throws Exception {
        Files.createDirectories(dir.resolve("inbox"));
        if (csv != null) { // a file already complete: older than bulk.read-lock-min-age, so taken at once
            Path file = Files.writeString(dir.resolve("inbox/bench.csv"), csv);
            Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:gc:file=" + dir.resolve("gc.log"),
                "-Dbulk.inbox=" + dir.resolve("inbox"), "-Dbulk.done=" + dir.resolve("done"),
                "-Dbulk.failed=" + dir.resolve("failed"), "-Dbulk.reports=" + dir.resolve("reports"),
                "-Dbulk.state=" + dir.resolve("state")));
        cmd.addAll(1, List.of(xmx.trim().split("\\s+")));
        settings.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        Map<String, String> env = new LinkedHashMap<>();
        if (launcher != null) { // the JVM options through JAVA_OPTS, the archive kept in one folder for every run
            env.put("JAVA_OPTS", String.join(" ", cmd.subList(1, cmd.size())));
            env.put("JAVA_HOME", System.getProperty("java.home"));
            env.put("CLOSE_TASK_BULK_CDS", Path.of("target/bench/cds").toAbsolutePath().toString());
            cmd.clear();
            cmd.addAll(List.of(launcher, "--once"));
        } else {
            cmd.addAll(List.of("-jar", Path.of(jar).toAbsolutePath().toString(), "--once"));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.log").toFile());
        pb.directory(launcher != null ? dir.toFile() // as a user runs it: from a folder of their own
                : Path.of(jar).toAbsolutePath().getParent().getParent().toFile()); // the jar's config/ and routes/
        pb.environment().putAll(env);
        pb.environment().put("CLOSE_BASE_URL", e.baseUrl());
        pb.environment().put("CLOSE_API_KEY", KEY);
        long t0 = System.nanoTime();
        Process p = pb.start();
        started.accept(p);
        long readyMs = -1;
        long peakKb = 0;
        Path status = Path.of("/proc/" + p.pid() + "/status");
        while (p.isAlive()) {
            try {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmHWM:")) {
                        peakKb = Math.max(peakKb, Long.parseLong(line.replaceAll("\\D", "")));
                    }
                }
            } catch (IOException | NumberFormatException ignored) {
                // the process ended between the check and the read
            }
            if (readyMs < 0 && Files.readString(dir.resolve("out.log")).contains("ready: watching")) {
                readyMs = (System.nanoTime() - t0) / 1_000_000;
            }
            p.waitFor(20, TimeUnit.MILLISECONDS);
        }
        long wall = (System.nanoTime() - t0) / 1_000_000;
        if (killed ? p.exitValue() != 137 : p.exitValue() > 1) {
            throw new IllegalStateException("run failed (" + p.exitValue() + "): " + Files.readString(dir.resolve("out.log")));
        }
        Path summaryFile = dir.resolve("reports/bench.summary.json");
        JsonNode summary = killed || !Files.exists(summaryFile) ? null : JSON.readTree(summaryFile.toFile());
        long heap = 0;
        Matcher m = Pattern.compile("(\\d+)M->\\d+M").matcher(Files.readString(dir.resolve("gc.log")));
        while (m.find()) {
            heap = Math.max(heap, Long.parseLong(m.group(1)));
        }
        return new Run(wall, summary == null ? 0 : summary.get("duration_ms").asLong(), summary,
                e.requests("PUT /task/").size(), e.requests("GET /task/").size(),
                e.requests(x -> x.status() == 429).size(), peakKb, heap, readyMs, dir);
    }

    /** The plain loop: per batch a list call and a PUT, waiting RateLimit reset when remaining is 0. */
    static void plainLoop(CloseEmulator e, int n) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (int b = 0; b < n / 100; b++) {
            StringBuilder ids = new StringBuilder();
            for (int i = b * 100; i < b * 100 + 100; i++) {
                ids.append(i > b * 100 ? "," : "").append(id(i));
            }
            String params = "\"_params\":{\"_type\":\"all\",\"id__in\":\"" + ids + "\"";
            send(http, e, "POST", "/task/", "{" + params + ",\"_fields\":\"id,assigned_to\",\"_limit\":100}}", "GET /task/");
            send(http, e, "PUT", "/task/", "{\"assigned_to\":\"" + BOB + "\"," + params + "}}", "PUT /task/");
        }
    }

    static final Map<String, long[]> budget = new LinkedHashMap<>(); // group -> remaining, resetAtNanos

    static void send(HttpClient http, CloseEmulator e, String method, String path, String body, String group)
            throws Exception {
        while (true) {
            long[] b = budget.computeIfAbsent(group, g -> new long[] {1, 0});
            if (b[0] < 1 && b[1] > System.nanoTime()) {
                Thread.sleep((b[1] - System.nanoTime()) / 1_000_000 + 1);
            }
            HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(e.baseUrl() + path))
                    .method(method, HttpRequest.BodyPublishers.ofString(body))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((KEY + ":").getBytes(StandardCharsets.UTF_8)))
                    .header("Content-Type", "application/json");
            if (method.equals("POST")) {
                rb.header("x-http-method-override", "GET");
            }
            HttpResponse<String> res = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
            String rl = res.headers().firstValue("RateLimit").orElse("");
            Matcher rem = Pattern.compile("remaining=([0-9.]+)").matcher(rl);
            Matcher reset = Pattern.compile("reset=([0-9.]+)").matcher(rl);
            if (rem.find() && reset.find()) {
                b[0] = (long) Double.parseDouble(rem.group(1));
                b[1] = System.nanoTime() + (long) (Double.parseDouble(reset.group(1)) * 1e9);
            }
            if (res.statusCode() != 429) {
                return;
            }
            Thread.sleep(1000L * Long.parseLong(res.headers().firstValue("Retry-After").orElse("1")));
        }
    }

    static Run median(List<Run> runs) {
        List<Run> sorted = new ArrayList<>(runs);
        sorted.sort((a, b) -> Long.compare(a.fileMs == 0 ? a.readyMs : a.fileMs, b.fileMs == 0 ? b.readyMs : b.fileMs));
        return sorted.get(sorted.size() / 2);
    }

    static String fmt(double d) {
        return String.format(Locale.ROOT, "%.2f", d);
    }
}
