package closetaskbulk;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

import closetaskbulk.emulator.CloseEmulator;
import closetaskbulk.run.RunState;
import closetaskbulk.sweep.SweepSchedule;

/**
 * Starts the bundle on Camel Main: routes from routes/, settings from config/application.properties.
 * Exit codes (--once, --sweep): 0 all rows UPDATED/UNCHANGED, 1 some row otherwise, 2 halted or a bad
 * setting, 3 internal error.
 */
public final class Application {

    static final String USAGE = """
            Usage: java -jar target/close-task-bulk.jar [options]    (run from the repository root)

              (no option)    run as a service: watch bulk.inbox for CSV files, fire the scheduled sweeps
              --once         process the CSV files now in the inbox, then exit
              --sweep <id>   run one sweep now, then exit
              --apply <plan.csv>
                             apply one plan (a dry run's .plan.csv) exactly as planned, then exit
              --dry-run      read and report, send no update; writes a plan to approve (sets bulk.dry-run=true)
              --repeat       process a file again even if the same content was processed before
              --demo         run against a built-in Close emulator with sample tasks (no Close account needed)
              --help         this text

            Settings: config/application.properties; override with -Dkey=value or environment variables
            (close.base-url <- CLOSE_BASE_URL). The API key comes from CLOSE_API_KEY.
            Exit codes: 0 every row UPDATED/UNCHANGED (or DRY_RUN in a dry run), 1 some row otherwise,
            2 halted or bad setting, 3 internal error.
            """;

    private Application() {
    }

    public static void main(String[] args) {
        // the jar's logback.xml masks the key; a config/logback.xml of the user's replaces it
        if (System.getProperty("logback.configurationFile") == null && new java.io.File("config/logback.xml").isFile()) {
            System.setProperty("logback.configurationFile", "config/logback.xml");
        }
        System.exit(run(args, Map.of(), System.getenv(), System.getProperties(), System.out));
    }

    /** Runs the bundle in this JVM and returns its exit code. Tests call this with their own overrides. */
    public static int run(String[] args, Map<String, String> overrides, Map<String, String> env, Properties system,
                          PrintStream out) {
        Map<String, String> cli = new HashMap<>(overrides);
        boolean once = false;
        boolean demo = false;
        String sweep = null;
        String apply = null;
        List<String> rest = new ArrayList<>();
        for (String a : args) { // mvn camel:run -Dcamel.arguments="--demo --once" passes one string
            rest.addAll(List.of(a.trim().split("\\s+")));
        }
        rest.removeIf(String::isEmpty);
        while (!rest.isEmpty()) {
            String a = rest.remove(0);
            switch (a) {
                case "--once" -> once = true;
                case "--dry-run" -> cli.put("bulk.dry-run", "true");
                case "--repeat" -> cli.put("bulk.repeat", "true");
                case "--demo" -> demo = true;
                case "--sweep" -> {
                    if (rest.isEmpty() || rest.get(0).startsWith("--")) {
                        out.println("error: --sweep needs a sweep id (see routes/sweeps/)");
                        return 2;
                    }
                    sweep = rest.remove(0);
                }
                case "--apply" -> {
                    if (rest.isEmpty() || rest.get(0).startsWith("--")) {
                        out.println("error: --apply needs a plan file (a dry run's <name>.plan.csv)");
                        return 2;
                    }
                    apply = rest.remove(0);
                }
                case "--help", "-h" -> {
                    out.print(USAGE);
                    return 0;
                }
                default -> {
                    out.println("error: unknown option " + a + "\n");
                    out.print(USAGE);
                    return 2;
                }
            }
        }
        if (apply != null && (once || sweep != null)) {
            out.println("error: --apply runs one plan alone: leave out --once and --sweep");
            return 2;
        }
        if (apply != null) {
            Path plan = Path.of(apply).toAbsolutePath().normalize();
            if (!java.nio.file.Files.isRegularFile(plan)) {
                out.println("error: --apply " + apply + ": no such file");
                return 2;
            }
            if (!plan.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".csv")) {
                out.println("error: --apply " + apply + ": a plan is a .csv file (a dry run's <name>.plan.csv)");
                return 2;
            }
            cli.put("bulk.approved", plan.getParent().toString());
            cli.put("bulk.plans.include", plan.getFileName().toString());
            cli.put("bulk.plans.keep", "true"); // the plan stays where it was given
        }
        boolean exitWhenDone = once || sweep != null || apply != null;
        cli.put("bulk.once", String.valueOf(exitWhenDone));
        cli.put("bulk.run-sweep", sweep == null ? "" : sweep);
        if (sweep != null || apply != null) {
            cli.put("bulk.intake.enabled", "false");
        }
        cli.put("bulk.plans.enabled", String.valueOf(apply != null || !exitWhenDone));
        cli.put("bulk.preview.enabled", String.valueOf(!exitWhenDone));
        if (exitWhenDone) { // a one-off run serves no console, health or metrics, and stops as soon as its work is done
            cli.put("camel.server.enabled", "false");
            cli.put("camel.main.routes-exclude-pattern", "**/console.camel.yaml");
            cli.put("camel.management.enabled", "false");
            cli.put("camel.metrics.enabled", "false");
            cli.put("camel.main.jmx-enabled", "false"); // an MBean per processor: about a second of start and stop
            cli.put("camel.component.quartz.interrupt-jobs-on-shutdown", "true");
            if (sweep == null) { // --once and --apply fire no sweep: Quartz need not run
                cli.put("camel.component.quartz.auto-start-scheduler", "false");
            }
        }
        CloseEmulator emulator = null;
        Path demoState = null;
        java.nio.channels.FileChannel stateLock = null;
        try {
            if (demo) {
                emulator = new CloseEmulator().addKey("demo-key");
                emulator.store().loadClasspathSeed();
                emulator.start();
                cli.put("close.base-url", emulator.baseUrl());
                cli.put("close.api-key", "demo-key");
                // the demo's Close starts afresh each time: so does its state (journals, re-drop register)
                if (!system.containsKey("bulk.state") && !env.containsKey("BULK_STATE")) {
                    demoState = java.nio.file.Files.createTempDirectory("close-task-bulk-demo-state");
                    cli.putIfAbsent("bulk.state", demoState.toString());
                }
                cli.putIfAbsent("bulk.routes-reload", "true");
                // for engineers: Camel's developer consoles (management port, /q/dev) and the camel CLI's connector
                cli.putIfAbsent("camel.main.dev-console-enabled", "true");
                cli.putIfAbsent("camel.management.dev-console-enabled", "true");
                cli.putIfAbsent("bulk.dev-tools", "true");
            }
            Settings settings = Settings.load(Path.of(cli.getOrDefault("bulk.config",
                    "config/application.properties")), env, system, cli);
            settings.validate(demo);
            if (!settings.flag("cluster.enabled")) { // the cluster keeps its state in PostgreSQL
                stateLock = StartChecks.lockState(Path.of(settings.get("bulk.state", "data/state")));
            }
            if (settings.flag("camel.server.enabled")) {
                StartChecks.portFree("camel.server.port", settings.get("camel.server.host", "0.0.0.0"),
                        settings.intSetting("camel.server.port"));
            }
            if (settings.flag("camel.management.enabled")) {
                StartChecks.portFree("camel.management.port", settings.get("camel.management.host", "0.0.0.0"),
                        settings.intSetting("camel.management.port"));
            }
            RunState runState = new RunState();
            Map<String, Object> beans = Bundle.beans(settings, runState);
            if (demo) {
                out.printf("%nDemo: a Close emulator with %d sample tasks runs at %s%n"
                        + "Drop a CSV file into %s  (try: cp examples/complete-tasks.csv %s/)%n"
                        + "Reports appear in %s; processed files move to %s.%s%n%n",
                        emulator.store().size(), emulator.baseUrl(), settings.get("bulk.inbox"),
                        settings.get("bulk.inbox"), settings.get("bulk.reports"), settings.get("bulk.done"),
                        exitWhenDone ? "" : "\nThe console: " + consoleUrl(settings) + " (upload, preview, approve, watch). "
                                + "Edit routes/*.camel.yaml and they reload. Ctrl-C stops.");
            }
            int code = runCamel(settings, beans, runState, exitWhenDone, sweep);
            if (runState.configErrorMessage() != null) {
                out.println("error: " + runState.configErrorMessage());
            }
            return code;
        } catch (Settings.Invalid e) {
            out.println("error: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            out.println("error: could not start: " + rootMessage(e));
            return 3;
        } finally {
            StartChecks.close(stateLock);
            deleteTree(demoState);
            if (emulator != null) {
                emulator.close();
            }
        }
    }

    private static int runCamel(Settings settings, Map<String, Object> beans, RunState runState, boolean exitWhenDone,
                                String sweep) throws Exception {
        SweepSchedule sweeps = (SweepSchedule) beans.get("sweepSchedule");
        io.micrometer.core.instrument.MeterRegistry[] joined = {null};
        Main main = new Main();
        main.setPropertyPlaceholderLocations("file:" + settings.get("bulk.config", "config/application.properties"));
        main.setOverrideProperties(settings.asProperties());
        beans.forEach(main::bind);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport m) {
                runState.setContext(m.getCamelContext());
                try {
                    Bundle.attach(m.getCamelContext(), beans);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void afterStart(BaseMainSupport m) {
                var ctx = m.getCamelContext();
                var health = org.apache.camel.health.HealthCheckRegistry.get(ctx);
                if (health != null) {
                    var leadership = (closetaskbulk.cluster.InboxLeadership) beans.get("inboxLeadership");
                    health.register(new BundleHealth(runState, Path.of(settings.get("bulk.inbox")),
                            leadership == null ? null : leadership::leads));
                }
                var meters = ctx.getRegistry().findSingleByType(io.micrometer.core.instrument.MeterRegistry.class);
                if (meters != null) {
                    io.micrometer.core.instrument.Metrics.addRegistry(meters);
                    joined[0] = meters;
                }
                org.slf4j.LoggerFactory.getLogger(Application.class).info("ready: {} {} (reports in {}){}{}",
                        settings.flag("cluster.enabled") ? "cluster profile; the instance that leads reads"
                                : "watching", settings.get("bulk.inbox"), settings.get("bulk.reports"),
                        settings.flag("camel.server.enabled") ? "; the console at " + consoleUrl(settings) : "", exitWhenDone
                                || !settings.flag("camel.management.enabled") ? "" : "; health and metrics at http://"
                                + settings.get("camel.management.host") + ":" + settings.get("camel.management.port")
                                + "/observe/health and /observe/metrics");
                try {
                    if (sweep != null) {
                        sweeps.runNow(m.getCamelContext(), sweep);
                    } else if (!exitWhenDone && !settings.flag("cluster.enabled")) { // clustered Quartz: its misfires
                        sweeps.catchUp(m.getCamelContext(), settings.sweepsToCatchUp());
                    }
                } catch (Exception e) {
                    runState.internalError("starting sweeps: " + e);
                    runState.idle();
                }
            }
        });
        if (exitWhenDone) {
            runState.onFinish(() -> stopWhenQuiet(main));
        }
        try {
            main.run();
        } finally {
            if (joined[0] != null) {
                io.micrometer.core.instrument.Metrics.removeRegistry(joined[0]);
            }
            if (beans.get("clusterStore") instanceof AutoCloseable db) {
                db.close();
            }
        }
        if (main.getCamelContext() == null && !runState.isHalted()) {
            return 3;
        }
        return runState.exitCode();
    }

    /**
     * --once and --sweep: stop as soon as the exchanges under way are done (a file's move included). Camel's
     * graceful shutdown would otherwise find the last file's exchange still in flight and look again a second
     * later.
     */
    private static void stopWhenQuiet(Main main) {
        Thread t = new Thread(() -> {
            var ctx = main.getCamelContext();
            long end = System.nanoTime() + 30_000_000_000L;
            while (ctx != null && ctx.getInflightRepository().size() > 0 && System.nanoTime() < end) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            main.completed();
        }, "once-done");
        t.setDaemon(true);
        t.start();
    }

    /** Where the console answers, for the ready line and the demo's banner. */
    static String consoleUrl(Settings settings) {
        String host = settings.get("camel.server.host", "127.0.0.1");
        return "http://" + (host.equals("0.0.0.0") ? "127.0.0.1" : host) + ":" + settings.get("camel.server.port", "8080") + "/";
    }

    /** The demo's state lives as long as its emulator: removed on exit. */
    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (var all = java.nio.file.Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.deleteIfExists(p);
            }
        } catch (java.io.IOException e) {
            org.slf4j.LoggerFactory.getLogger(Application.class).warn("cannot remove the demo's state {}: {}", dir, e.toString());
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
