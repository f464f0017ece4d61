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
            Usage: bin/close-task-bulk [options]      (from a clone's root: java -jar target/close-task-bulk.jar [options])

              (no option)    run as a service: watch bulk.inbox for CSV files, fire the scheduled sweeps
              --once         process the CSV files now in the inbox, then exit
              --sweep <id>   run one sweep now, then exit
              --apply <plan.csv>
                             apply one plan (a dry run's .plan.csv) exactly as planned, then exit
              --dry-run      read and report, send no update; writes a plan to approve (sets bulk.dry-run=true)
              --repeat       process a file again even if the same content was processed before
              --demo         run against a built-in Close emulator with sample tasks (no Close account needed),
                             in folders of its own: demo/inbox, demo/done, demo/reports, ... (never data/)
              --config DIR   read config/ (and routes/, kamelets/ when DIR has them) from DIR; also CLOSE_TASK_BULK_CONFIG=DIR.
                             Default: the installation's (bin/close-task-bulk), else the working folder. Data folders
                             (bulk.inbox, bulk.reports, ...) are relative to the working folder
              --version      the version
              --help         this text, and every setting

            The API key comes from CLOSE_API_KEY. JVM options: JAVA_OPTS or JDK_JAVA_OPTIONS.
            Exit codes: 0 every row UPDATED/UNCHANGED (or DRY_RUN in a dry run), 1 some row otherwise,
            2 halted or bad setting, 3 internal error.
            """;

    /** The demo's folders, under demo/ in the working folder: bulk.inbox, bulk.done, ... */
    static final List<String> DEMO_FOLDERS = List.of("inbox", "done", "failed", "reports", "approved", "preview", "state");

    private Application() {
    }

    public static void main(String[] args) {
        // the jar's logging (LogSetup) masks the key; a config/logback.xml of the user's replaces it
        Path logback = ConfigFolder.of(args).dir.resolve("config/logback.xml");
        if (System.getProperty("logback.configurationFile") == null && java.nio.file.Files.isRegularFile(logback)) {
            System.setProperty("logback.configurationFile", logback.toString());
        }
        // SLF4J starts here, on one thread: a logger asked for on another thread meanwhile (the warm-up's) would be
        // "intercepted and replayed", with a warning on stderr
        org.slf4j.LoggerFactory.getILoggerFactory();
        Warmup.start();
        System.exit(run(args, Map.of(), System.out));
    }

    /** Runs the bundle in this JVM and returns its exit code. Tests call this with their own overrides. */
    public static int run(String[] args, Map<String, String> overrides, PrintStream out) {
        // Vert.x (the HTTP servers) resolves names with the JDK: Netty's DNS resolver is not shipped (pom.xml)
        if (System.getProperty("vertx.disableDnsResolver") == null) {
            System.setProperty("vertx.disableDnsResolver", "true");
        }
        Map<String, String> cli = new HashMap<>(overrides);
        boolean once = false;
        boolean demo = false;
        String sweep = null;
        String apply = null;
        String configOption = null;
        boolean help = false;
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
                    List<String> plans = new ArrayList<>(List.of(apply));
                    while (!rest.isEmpty() && !rest.get(0).startsWith("--")) { // a shell glob that matched several
                        plans.add(rest.remove(0));
                    }
                    if (plans.size() > 1 || apply.contains("*") || apply.contains("?")) {
                        out.println("error: --apply takes one plan, named in full: " + (plans.size() > 1 ? plans.size()
                                + " were given (" + String.join(", ", plans) + ")" : apply + " is a pattern")
                                + "; apply them one at a time");
                        return 2;
                    }
                }
                case "--config" -> {
                    if (rest.isEmpty() || rest.get(0).startsWith("--")) {
                        out.println("error: --config needs a folder (one that holds config/application.properties)");
                        return 2;
                    }
                    configOption = rest.remove(0);
                }
                case "--version", "-V" -> {
                    out.println("close-task-bulk " + closetaskbulk.ops.Version.get() + " (Apache Camel "
                            + org.apache.camel.main.Main.class.getPackage().getImplementationVersion() + ", Java "
                            + System.getProperty("java.version") + ")");
                    return 0;
                }
                case "--help", "-h" -> help = true;
                default -> {
                    out.println("error: unknown option " + a + "\n");
                    out.print(USAGE);
                    return 2;
                }
            }
        }
        ConfigFolder folder = ConfigFolder.choose(configOption, System.getenv(ConfigFolder.ENV),
                System.getProperty(ConfigFolder.HOME_PROPERTY));
        if (help) {
            out.print(USAGE);
            try {
                folder.check();
                out.print("\n" + SettingsHelp.of(folder.settingsFile()));
            } catch (Settings.Invalid | java.io.IOException e) {
                out.println("\nSettings: " + e.getMessage());
            }
            return 0;
        }
        try {
            folder.check();
        } catch (Settings.Invalid e) {
            out.println("error: " + e.getMessage());
            return 2;
        }
        cli.putIfAbsent("bulk.config", folder.settingsFile().toString());
        folder.pathOverrides(cli).forEach(cli::putIfAbsent);
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
            cli.put("camel.health.enabled", "false"); // nothing serves it
            cli.put("camel.main.jmx-enabled", "false"); // an MBean per processor: about a second of start and stop
            cli.put("camel.component.quartz.interrupt-jobs-on-shutdown", "true");
        }
        CloseEmulator emulator = null;
        try {
            if (demo) {
                emulator = new CloseEmulator().addKey("demo-key");
                emulator.store().loadClasspathSeed();
                emulator.start();
                cli.put("close.base-url", emulator.baseUrl());
                cli.put("close.api-key", "demo-key");
                // folders of its own, whatever the settings say: a demo never reads or moves a real file. Its
                // state is locked like any other, and emptied once locked (its Close starts afresh too)
                for (String name : DEMO_FOLDERS) {
                    cli.put("bulk." + name, Path.of("demo", name).toString());
                }
                cli.put("bulk.demo", "true");
                cli.putIfAbsent("bulk.routes-reload", "true");
                // for engineers: Camel's developer consoles (management port, /q/dev) and the camel CLI's connector
                cli.putIfAbsent("camel.main.dev-console-enabled", "true");
                cli.putIfAbsent("camel.management.dev-console-enabled", "true");
                cli.putIfAbsent("bulk.dev-tools", "true");
            }
            return runCamel(cli, exitWhenDone, sweep, demo ? emulator : null, folder, out);
        } catch (Settings.Invalid e) {
            out.println("error: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            out.println("error: could not start: " + rootMessage(e));
            return 3;
        } finally {
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
        Path file = Path.of(cli.getOrDefault("bulk.config", "config/application.properties"));
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new Settings.Invalid("settings file " + file + " not found: name another with --config DIR");
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
                                ConfigFolder folder, PrintStream out) throws Exception {
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
                            + "Drop a CSV file into %s  (try: cp %s %s/)%n"
                            + "Reports appear in %s; processed files move to %s.%s%n%n",
                            demo.store().size(), demo.baseUrl(), settings.get("bulk.inbox"),
                            example(folder), settings.get("bulk.inbox"), settings.get("bulk.reports"), settings.get("bulk.done"),
                            exitWhenDone ? "" : "\nThe console: " + consoleUrl(settings) + " (upload, preview, approve, watch). "
                                    + "Edit routes/*.camel.yaml and they reload. Ctrl-C stops.");
                }
            }

            @Override
            public void afterStart(BaseMainSupport m) {
                var ctx = m.getCamelContext();
                RunState runState = run[0];
                Settings settings = config[0];
                org.slf4j.LoggerFactory.getLogger(Application.class).info("ready: {} {} (reports in {}){}{}",
                        settings.flag("cluster.enabled") ? "cluster profile; the instance that leads reads"
                                : "watching", settings.get("bulk.inbox"), settings.get("bulk.reports"),
                        settings.flag("camel.server.enabled") ? "; the console at " + bound(ctx,
                                settings.intSetting("camel.server.port"), "/") : "", exitWhenDone
                                || !settings.flag("camel.management.enabled") ? "" : "; health and metrics at "
                                + bound(ctx, settings.intSetting("camel.management.port"), "/observe/health")
                                + " and /observe/metrics");
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
            if (!exitWhenDone) { // SIGTERM (systemctl stop, a container's stop) ends here once Camel has stopped
                org.slf4j.LoggerFactory.getLogger(Application.class).info("stopped");
            }
        } catch (Exception e) {
            Settings.Invalid invalid = invalid(e);
            if (invalid != null) {
                throw invalid;
            }
            throw e;
        } finally {
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

    /** The address a server of the bundle is bound to, as it listens (the ready line). */
    static String bound(org.apache.camel.CamelContext ctx, int port, String path) {
        for (var router : ctx.getRegistry().findByType(
                org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter.class)) {
            var server = router.getServer();
            if (server != null && server.getPort() == port) {
                String host = server.getHost() == null ? "0.0.0.0" : server.getHost();
                boolean all = host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
                return "http://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port
                        + path + (all ? " (every address of this machine)" : "");
            }
        }
        return "port " + port;
    }


    /** An example file for the demo's banner, as the user would type it from the working folder. */
    private static Path example(ConfigFolder folder) {
        Path cwd = Path.of("").toAbsolutePath();
        Path file = folder.home.resolve("examples/complete-tasks.csv");
        return file.startsWith(cwd) ? cwd.relativize(file) : file;
    }

    /** Where the console answers, for the ready line and the demo's banner. */
    static String consoleUrl(Settings settings) {
        String host = settings.get("camel.server.host", "127.0.0.1");
        return "http://" + (host.equals("0.0.0.0") ? "127.0.0.1" : host) + ":" + settings.get("camel.server.port", "8080") + "/";
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
