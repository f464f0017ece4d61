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
        // the jar's logging (LogSetup) masks the key; a config/logback.xml of the user's replaces it
        if (System.getProperty("logback.configurationFile") == null && new java.io.File("config/logback.xml").isFile()) {
            System.setProperty("logback.configurationFile", "config/logback.xml");
        }
        Warmup.start(); // after the logging is chosen: the warm-up may be first to log
        System.exit(run(args, Map.of(), System.out));
    }

    /** Runs the bundle in this JVM and returns its exit code. Tests call this with their own overrides. */
    public static int run(String[] args, Map<String, String> overrides, PrintStream out) {
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
            // which routes a one-off run leaves out: RouteModes
            cli.put("camel.management.enabled", "false");
            cli.put("camel.metrics.enabled", "false");
            cli.put("camel.main.jmx-enabled", "false"); // an MBean per processor: about a second of start and stop
            cli.put("camel.component.quartz.interrupt-jobs-on-shutdown", "true");
        }
        CloseEmulator emulator = null;
        Path demoState = null;
        try {
            if (demo) {
                emulator = new CloseEmulator().addKey("demo-key");
                emulator.store().loadClasspathSeed();
                emulator.start();
                cli.put("close.base-url", emulator.baseUrl());
                cli.put("close.api-key", "demo-key");
                // the demo's Close starts afresh each time: so does its state (journals, re-drop register)
                if (System.getProperty("bulk.state") == null && System.getenv("BULK_STATE") == null) {
                    demoState = java.nio.file.Files.createTempDirectory("close-task-bulk-demo-state");
                    cli.putIfAbsent("bulk.state", demoState.toString());
                }
                cli.putIfAbsent("bulk.routes-reload", "true");
                // for engineers: Camel's developer consoles (management port, /q/dev) and the camel CLI's connector
                cli.putIfAbsent("camel.main.dev-console-enabled", "true");
                cli.putIfAbsent("camel.management.dev-console-enabled", "true");
                cli.putIfAbsent("bulk.dev-tools", "true");
            }
            return runCamel(cli, exitWhenDone, sweep, demo ? emulator : null, out);
        } catch (Settings.Invalid e) {
            out.println("error: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            out.println("error: could not start: " + rootMessage(e));
            return 3;
        } finally {
            deleteTree(demoState);
            if (emulator != null) {
                emulator.close();
            }
        }
    }

    /**
     * Where Camel reads the settings: config/application.properties, and for a profile (camel.main.profile, e.g.
     * cluster) config/application-<profile>.properties before it. Camel Main looks for a profile's file on the
     * class path only; ours sit in config/ beside the main file, so they are named here.
     */
    static String locations(Map<String, String> cli) {
        String config = cli.getOrDefault("bulk.config", "config/application.properties");
        Path file = Path.of(config);
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new Settings.Invalid("settings file " + file + " not found: run from the repository root (the folder with config/)");
        }
        String profile = cli.get("camel.main.profile");
        if (profile == null) {
            profile = System.getProperty("camel.main.profile", System.getenv("CAMEL_MAIN_PROFILE"));
        }
        if (profile == null) {
            Properties p = new Properties();
            try (var r = java.nio.file.Files.newBufferedReader(file)) {
                p.load(r);
            } catch (java.io.IOException e) {
                throw new Settings.Invalid("cannot read " + file + ": " + e.getMessage());
            }
            profile = p.getProperty("camel.main.profile", "");
        }
        if (profile.isBlank()) {
            return "file:" + file;
        }
        Path extra = file.resolveSibling(file.getFileName().toString().replace(".properties", "-" + profile.trim() + ".properties"));
        if (!java.nio.file.Files.isRegularFile(extra)) {
            throw new Settings.Invalid("camel.main.profile=" + profile + " but " + extra + " does not exist");
        }
        return "file:" + extra + ",file:" + file;
    }

    private static int runCamel(Map<String, String> cli, boolean exitWhenDone, String sweep, CloseEmulator demo,
                                PrintStream out) throws Exception {
        io.micrometer.core.instrument.MeterRegistry[] joined = {null};
        // the registry is emptied when Camel stops: what is needed after configuration is kept here
        RunState[] run = {null};
        Settings[] config = {null};
        AutoCloseable[] db = {null};
        Main main = new Main();
        main.setPropertyPlaceholderLocations(locations(cli));
        Properties overrides = new Properties();
        overrides.putAll(cli);
        main.setOverrideProperties(overrides);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport m) {
                var registry = m.getCamelContext().getRegistry();
                RunState runState = registry.lookupByNameAndType("runState", RunState.class);
                Settings settings = registry.lookupByNameAndType("settings", Settings.class);
                run[0] = runState;
                config[0] = settings;
                if (registry.lookupByName("clusterStore") instanceof AutoCloseable store) {
                    db[0] = store;
                }
                if (exitWhenDone) {
                    runState.onFinish(() -> stopWhenQuiet(main));
                }
                if (demo != null) {
                    out.printf("%nDemo: a Close emulator with %d sample tasks runs at %s%n"
                            + "Drop a CSV file into %s  (try: cp examples/complete-tasks.csv %s/)%n"
                            + "Reports appear in %s; processed files move to %s.%s%n%n",
                            demo.store().size(), demo.baseUrl(), settings.get("bulk.inbox"),
                            settings.get("bulk.inbox"), settings.get("bulk.reports"), settings.get("bulk.done"),
                            exitWhenDone ? "" : "\nThe console: " + consoleUrl(settings) + " (upload, preview, approve, watch). "
                                    + "Edit routes/*.camel.yaml and they reload. Ctrl-C stops.");
                }
            }

            @Override
            public void afterStart(BaseMainSupport m) {
                var ctx = m.getCamelContext();
                RunState runState = run[0];
                Settings settings = config[0];
                var health = org.apache.camel.health.HealthCheckRegistry.get(ctx);
                if (health != null) {
                    var leadership = ctx.getRegistry().lookupByNameAndType("inboxLeadership",
                            closetaskbulk.cluster.InboxLeadership.class);
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
                SweepSchedule sweeps = ctx.getRegistry().lookupByNameAndType("sweepSchedule", SweepSchedule.class);
                try {
                    SweepSchedule.check(ctx); // every sweep, wherever its values live
                    if (sweep != null) {
                        sweeps.runNow(ctx, sweep);
                    } else if (!exitWhenDone && !settings.flag("cluster.enabled")) { // clustered Quartz: its misfires
                        sweeps.catchUp(ctx);
                    }
                } catch (closetaskbulk.sweep.SweepDefinitionException e) {
                    runState.configError(e.getMessage());
                    main.completed();
                } catch (Exception e) {
                    runState.internalError("starting sweeps: " + e);
                    runState.idle();
                }
            }
        });
        try {
            main.run();
        } catch (Exception e) {
            Settings.Invalid invalid = invalid(e);
            if (invalid != null) {
                throw invalid;
            }
            throw e;
        } finally {
            if (joined[0] != null) {
                io.micrometer.core.instrument.Metrics.removeRegistry(joined[0]);
            }
            var ctx = main.getCamelContext();
            StateLock lock = ctx == null ? null : ctx.hasService(StateLock.class);
            if (lock != null) { // Camel's stop lets it go; this is for a start that failed after Bundle took it
                lock.release();
            }
            if (db[0] != null) {
                db[0].close();
            }
        }
        RunState runState = run[0];
        if (runState == null) {
            return 3;
        }
        if (runState.configErrorMessage() != null) {
            out.println("error: " + runState.configErrorMessage());
        }
        return runState.exitCode();
    }

    /** A bad setting found while Camel configured itself (Bundle.configure): it travels wrapped. */
    private static Settings.Invalid invalid(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Settings.Invalid i) {
                return i;
            }
        }
        return null;
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
