package closetaskbulk;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

import closetaskbulk.close.CloseApi;
import closetaskbulk.close.CloseCall;
import closetaskbulk.close.Pacer;
import closetaskbulk.close.RetryLog;
import closetaskbulk.intake.CsvIntake;
import closetaskbulk.intake.PlanAge;
import closetaskbulk.run.BatchErrors;
import closetaskbulk.run.BulkUpdate;
import closetaskbulk.run.Journal;
import closetaskbulk.run.PlanSeals;
import closetaskbulk.run.RowCheck;
import closetaskbulk.run.RunRules;
import closetaskbulk.run.RunState;
import closetaskbulk.ops.Notifier;
import closetaskbulk.run.Runs;
import closetaskbulk.sweep.SweepSchedule;
import closetaskbulk.sweep.Sweeps;

/**
 * The bundle's wiring: a Camel configuration class (camel.main.configuration-classes in
 * config/application.properties). Camel Main resolves the settings (files, profile, environment, -D); this
 * class checks them (a mistake ends the start with one line), takes the state folder, and binds the beans the
 * YAML routes call. A bean already in the registry is kept: a test or an embedding application replaces one
 * that way.
 */
public class Bundle implements CamelConfiguration {

    /**
     * Camel's own key, camel.main.routes-reload-enabled, does what bulk.routes-reload does. Camel's reload (4.18)
     * reloads a file once per route in it (a duplicate route id at every save of routes that span files) and removes
     * the running routes before the new ones are built: its strategy, made as Camel Main read the key, is taken out
     * before the context starts, and the bundle's reloader runs instead.
     */
    private static boolean camelsOwnReload(CamelContext context) {
        var camels = context.hasService(org.apache.camel.support.RouteWatcherReloadStrategy.class);
        if (camels == null) {
            return false;
        }
        try {
            context.removeService(camels);
        } catch (Exception e) {
            throw new IllegalStateException("cannot turn Camel's own route reload off: " + e.getMessage(), e);
        }
        return true;
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        OverridesInOrder.install(context.getPropertiesComponent());
        if (camelsOwnReload(context)) {
            context.getPropertiesComponent().addOverrideProperty("bulk.routes-reload", "true");
        }
        Settings s = Settings.of(context);
        s.validate();
        RouteModes.install(context, s);
        if (!s.flag("cluster.enabled")) { // the cluster keeps its state in PostgreSQL
            Path state = Path.of(s.get("bulk.state", "data/state"));
            context.addService(new StateLock(state), true, true);
            if (s.flag("bulk.demo")) { // the demo's Close starts afresh: so do its journals and re-drop register
                StartChecks.empty(state);
            }
        }
        if (s.flag("camel.server.enabled")) {
            StartChecks.portFree("camel.server.port", s.get("camel.server.host", "0.0.0.0"), s.intSetting("camel.server.port"));
        }
        if (s.flag("camel.management.enabled")) {
            StartChecks.portFree("camel.management.port", s.get("camel.management.host", "0.0.0.0"),
                    s.intSetting("camel.management.port"));
        }
        http(context, s);
        SourceRoutes.install(context);
        RunState runState = new RunState();
        runState.setContext(context);
        Map<String, Object> beans = beans(s, runState);
        beans.put("settings", s);
        var registry = context.getRegistry();
        beans.forEach((name, bean) -> {
            if (registry.lookupByName(name) == null) {
                registry.bind(name, bean);
            }
        });
        // Camel Main looks for its plug-ins in the registry before configuration classes run: these are handed over
        Notifier notifier = (Notifier) beans.get("notifier");
        notifier.setCamelContext(context);
        if (beans.get("routeReloader") instanceof RouteReloader reloader) {
            context.addService(reloader);
        }
        if (registry.lookupByName("clusterLeader") instanceof org.apache.camel.cluster.CamelClusterService leader) {
            context.addService(leader);
        }
        if (registry.lookupByName("inboxLeadership") instanceof org.apache.camel.spi.RoutePolicyFactory leadership) {
            context.addRoutePolicyFactory(leadership);
        }
        if (registry.lookupByName("cliConnectorFactory") instanceof org.apache.camel.spi.CliConnectorFactory cli) {
            context.getCamelContextExtension().addContextPlugin(org.apache.camel.spi.CliConnectorFactory.class, cli);
        }
    }

    /**
     * The HTTP servers' guard (console.HttpGuard), put first on each server's router as Camel starts them, before
     * any route consumes; and Camel's developer consoles as the bundle allows them (ops.DevConsoles).
     */
    private static void http(CamelContext context, Settings s) throws Exception {
        if (s.flag("bulk.dev-tools") || s.flag("camel.main.dev-console-enabled") || s.flag("camel.management.dev-console-enabled")) {
            closetaskbulk.ops.DevConsoles.bind(context.getRegistry(), java.util.stream.Stream.of(s.get("close.api-key", ""),
                    s.get("console.password", ""), s.get("cluster.db.password", ""), s.get("bulk.notify.url", ""))
                    .collect(java.util.stream.Collectors.toSet()));
        }
        boolean server = s.flag("camel.server.enabled");
        if (!server && !s.flag("camel.management.enabled")) {
            return;
        }
        String password = s.get("console.password", "");
        var access = new closetaskbulk.console.HttpGuard.Access(
                password.isEmpty() ? null : new closetaskbulk.console.ConsolePassword(password),
                server ? s.intSetting("camel.server.port") : -1,
                !Settings.isLoopback(s.get("camel.management.host", "0.0.0.0")), s.allowedHosts(),
                Long.parseLong(s.get("console.upload-max-bytes", "52428800").trim()));
        context.addStartupListener((ctx, alreadyStarted) -> closetaskbulk.console.HttpGuard.install(ctx, access));
    }

    /** Checks bulk.filter.*: only Close's list filters, never the ids (each batch sets those). */
    static Map<String, String> intakeFilter(Settings s) {
        Map<String, String> f = s.withPrefix("bulk.filter.");
        for (String k : f.keySet()) {
            if (!CloseApi.isFilter(k)) {
                throw new Settings.Invalid("bulk.filter." + k + " is not a Close task filter: use one of "
                        + String.join(", ", new java.util.TreeSet<>(CloseApi.FILTERS)));
            }
        }
        return f;
    }

    /** Camel's file-backed idempotent repository: the SHA-256 of every file content processed. */
    static org.apache.camel.spi.IdempotentRepository processedFiles(Path state) {
        return fileRegister(state, "processed-files.txt");
    }

    /** A Camel file-backed idempotent repository in the state folder. */
    static org.apache.camel.spi.IdempotentRepository fileRegister(Path state, String file) {
        try {
            java.nio.file.Files.createDirectories(state);
        } catch (IOException e) {
            throw new Settings.Invalid("bulk.state=" + state + " cannot be created: " + e.getMessage());
        }
        var repo = org.apache.camel.support.processor.idempotent.FileIdempotentRepository.fileIdempotentRepository(
                state.resolve(file).toFile(), 1_000_000, 512L * 1024 * 1024);
        org.apache.camel.support.service.ServiceHelper.startService(repo);
        return repo;
    }

    /** cluster.node-id, else host name and process id. */
    static String nodeId(Settings s) {
        String id = s.get("cluster.node-id", "");
        if (!id.isEmpty()) {
            return id;
        }
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return host + "-" + ProcessHandle.current().pid();
    }

    /** The beans, by the names the routes use. Tests extend this to replace one. */
    protected Map<String, Object> beans(Settings s, RunState runState) {
        Pacer pacer = new Pacer(Long.parseLong(s.get("close.rate-limit.max-wait", "600000")),
                Double.parseDouble(s.get("close.max-requests-per-second", "0")), Double.parseDouble(s.get("close.rate-limit.share", "1")),
                s.intSetting("close.connect-timeout") + (long) s.intSetting("close.response-timeout"));
        runState.onHalt(pacer::wakeAll);
        CloseCall call = new CloseCall(s.get("close.api-key", ""), s.get("close.base-url"), closetaskbulk.ops.Version.get(), pacer,
                runState::haltReason);
        boolean readBeforeWrite = Boolean.parseBoolean(s.get("close.read-before-write", "true"));
        closetaskbulk.intake.HeldFiles held = new closetaskbulk.intake.HeldFiles(runState);
        CsvIntake intake = new CsvIntake(Path.of(s.get("bulk.done")), Path.of(s.get("bulk.failed")), runState, held);
        Path state = Path.of(s.get("bulk.state", "data/state"));
        Map<String, Object> beans = new LinkedHashMap<>();
        org.apache.camel.spi.IdempotentRepository processed;
        org.apache.camel.spi.IdempotentRepository plans;
        Journal.Store journals;
        if (s.flag("cluster.enabled")) { // shared state in PostgreSQL: docs/CLUSTER.md
            closetaskbulk.cluster.ClusterStore db = closetaskbulk.cluster.ClusterStore.open(s.get("cluster.db.url"),
                    s.get("cluster.db.user", ""), s.get("cluster.db.password", ""), s.intSetting("cluster.db.pool-size"));
            var leader = new closetaskbulk.cluster.PgLeader(s.get("cluster.db.url"), s.get("cluster.db.user", ""),
                    s.get("cluster.db.password", ""), nodeId(s), s.intSetting("cluster.leader-check-interval"));
            processed = db.processedFiles();
            plans = db.planSeals();
            journals = db.journals();
            beans.put("clusterStore", db);
            beans.put("clusterLeader", leader);
            beans.put("inboxLeadership", new closetaskbulk.cluster.InboxLeadership(leader,
                    Path.of(s.get("bulk.inbox")).toAbsolutePath().normalize().toString()));
        } else {
            processed = processedFiles(state);
            plans = fileRegister(state, "plans.txt");
            journals = Journal.files(state.resolve("journal"));
        }
        PlanSeals seals = new PlanSeals(plans);
        PlanAge planAge = new PlanAge(s.planMaxAge(), s.get("bulk.plan.max-age", "24h"));
        beans.put("planAge", planAge);
        beans.put("planSeals", seals);
        intake.durable(state, processed, journals, s.flag("bulk.repeat")).seals(seals)
                .planAge(planAge).extraColumns(s.extraColumns());
        SweepSchedule schedule = new SweepSchedule(state, runState);
        Sweeps sweeps = new Sweeps(schedule, s.intSetting("close.list-limit"), runState, s.get("bulk.run-sweep", ""));
        beans.put("sweeps", sweeps);
        beans.put("sweepSchedule", schedule);
        if (s.flag("bulk.routes-reload")) {
            beans.put("routeReloader", new RouteReloader(s.get("bulk.routes-reload-directory", "routes"),
                    s.get("camel.main.routes-include-pattern")));
        }
        beans.put("runState", runState);
        // the camel CLI's connector (camel get, camel trace): for engineers in --demo, off otherwise
        var cli = new org.apache.camel.cli.connector.DefaultCliConnectorFactory();
        cli.setEnabled(s.flag("bulk.dev-tools"));
        beans.put("cliConnectorFactory", cli);
        beans.put("pacer", pacer);
        beans.put("closeCall", call);
        beans.put("bulkUpdate", new BulkUpdate(s.intSetting("close.retry.max-failed-batches")));
        beans.put("rowCheck", new RowCheck(s.dateFormat()));
        Notifier notifier = new Notifier(s.get("bulk.notify.url", ""), s.notifyAlways(), consoleAddress(s));
        beans.put("runs", new Runs(runState, new RunRules(Path.of(s.get("bulk.reports")), s.intSetting("close.batch-size"),
                Integer.parseInt(s.get("bulk.max-open-batches", "1000")), s.intSetting("close.list-limit"),
                intakeFilter(s), readBeforeWrite, s.flag("bulk.dry-run"), s.intSetting("bulk.progress-interval"),
                journals, notifier::ended)));
        beans.put("batchErrors", new BatchErrors());
        beans.put("retryLog", new RetryLog(s.intSetting("close.retry.initial-delay"), s.intSetting("close.retry.max-delay")));
        beans.put("csvIntake", intake);
        beans.put("notifier", notifier);
        // route notify's own HTTP client: a webhook that hangs must not hold a --once exit for Close's timeouts
        var notifyHttp = new org.apache.camel.component.http.HttpComponent();
        notifyHttp.setConnectTimeout(5000);
        notifyHttp.setConnectionRequestTimeout(5000);
        notifyHttp.setResponseTimeout(10000);
        notifyHttp.setSoTimeout(10000);
        notifyHttp.setAutomaticRetriesDisabled(true); // the route's redelivery owns every retry
        beans.put("notify-http", notifyHttp);
        beans.put("heldFiles", held);
        if (s.flag("camel.server.enabled")) { // not for one-off runs: they serve no console
            console(s, beans, schedule, pacer, runState);
        }
        return beans;
    }

    /** Where the console answers, for links in notifications (a wildcard address: this machine's name). */
    private static String consoleAddress(Settings s) {
        String host = s.get("camel.server.host", "127.0.0.1");
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "localhost";
            }
        }
        return "http://" + host + ":" + s.get("camel.server.port", "8080");
    }

    /** The run console's beans (routes/console.camel.yaml). */
    private static void console(Settings s, Map<String, Object> beans, SweepSchedule schedule, Pacer pacer, RunState runState) {
        var sweeps = new closetaskbulk.console.SweepList(schedule);
        long uploadMax = Long.parseLong(s.get("console.upload-max-bytes", "52428800").trim());
        var guard = new closetaskbulk.console.ConsoleGuard();
        Path reports = Path.of(s.get("bulk.reports"));
        beans.put("consoleGuard", guard);
        beans.put("platform-http-engine", new closetaskbulk.console.ConsoleHttpEngine(s.intSetting("camel.server.port")));
        var console = new closetaskbulk.console.Console(reports, Path.of(s.get("bulk.approved", "data/approved")),
                (PlanAge) beans.get("planAge"), (Runs) beans.get("runs"), runState, pacer, sweeps, guard, uploadMax);
        beans.put("console", console);
        beans.put("consoleActions", new closetaskbulk.console.ConsoleActions(reports, Path.of(s.get("bulk.inbox")),
                Path.of(s.get("bulk.preview", "data/preview")), Path.of(s.get("bulk.approved", "data/approved")),
                uploadMax, sweeps, schedule, console));
    }
}
