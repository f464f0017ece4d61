package closetaskbulk;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Map;

import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.PropertyInject;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.service.ServiceSupport;

import closetaskbulk.close.CloseApi;
import closetaskbulk.close.CloseCall;
import closetaskbulk.close.Pacer;
import closetaskbulk.close.RetryLog;
import closetaskbulk.cluster.ClusterStore;
import closetaskbulk.cluster.InboxLeadership;
import closetaskbulk.cluster.PgLeader;
import closetaskbulk.console.ConsoleGuard;
import closetaskbulk.console.SweepList;
import closetaskbulk.intake.CsvIntake;
import closetaskbulk.intake.HeldFiles;
import closetaskbulk.intake.PlanAge;
import closetaskbulk.ops.Notifier;
import closetaskbulk.run.BatchErrors;
import closetaskbulk.run.BulkUpdate;
import closetaskbulk.run.Journal;
import closetaskbulk.run.PlanSeals;
import closetaskbulk.run.RowCheck;
import closetaskbulk.run.RunRules;
import closetaskbulk.run.RunState;
import closetaskbulk.run.Runs;
import closetaskbulk.sweep.SweepSchedule;
import closetaskbulk.sweep.Sweeps;

/**
 * The bundle's wiring: a Camel configuration class (camel.main.configuration-classes in
 * config/application.properties). Camel Main resolves the settings (files, profile, environment, -D); this class
 * checks them (a mistake ends the start with one line) and takes the state folder; then Camel binds the beans of
 * the {@code @BindToRegistry} methods below, by the names the YAML routes (and an engineer's own) use, each built
 * from settings Camel injects typed ({@code @PropertyInject}) and from the other beans ({@code @BeanInject}).
 * <p>
 * Every bean is lazy: Camel makes it at its first lookup, the beans it injects first (the order of the methods is
 * not the order of their dependencies). {@link #configure} looks each one up once, so all are made at start, before
 * any route. To replace a bean (a test, an embedding application), extend this class and override its method.
 */
public class Bundle implements CamelConfiguration, CamelContextAware {

    private CamelContext context;
    private Settings settings;

    @Override
    public CamelContext getCamelContext() {
        return context;
    }

    /**
     * Camel hands the context over first, as it makes this class: before it resolves any injected setting or calls
     * any bean method. The order in which a setting is looked for is set here, then every setting is checked (a
     * bad one ends the start with one line, before a bean is made), then the state folder is taken.
     */
    @Override
    public void setCamelContext(CamelContext context) {
        this.context = context;
        // the command line above -D and the environment: with Camel's own order an exported CLOSE_BASE_URL or
        // CLOSE_API_KEY would win over --demo's emulator (OverridesInOrder says more)
        OverridesInOrder.install(context.getPropertiesComponent());
        if (camelsOwnReload(context)) {
            context.getPropertiesComponent().addOverrideProperty("bulk.routes-reload", "true");
        }
        Settings s = Settings.of(context);
        s.validate();
        settings = s;
        if (!s.flag("cluster.enabled")) { // the cluster keeps its state in PostgreSQL
            Path state = Path.of(s.get("bulk.state", "data/state"));
            try {
                context.addService(new StateLock(state), true, true);
            } catch (Exception e) {
                throw org.apache.camel.RuntimeCamelException.wrapRuntimeException(e);
            }
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
    }

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
        Settings s = settings;
        RouteModes.install(context, s);
        http(context, s);
        SourceRoutes.install(context);
        // the beans of a mode that is off are not bound at all: their groups go to Camel's bean post-processor only
        // when the mode is on
        java.util.List<Object> groups = new java.util.ArrayList<>();
        if (s.flag("cluster.enabled")) { // shared state in PostgreSQL: docs/CLUSTER.md
            groups.add(new ClusterBeans());
        }
        if (s.flag("camel.server.enabled")) { // not for one-off runs: they serve no console
            groups.add(new ConsoleBeans());
        }
        if (s.flag("bulk.routes-reload")) {
            groups.add(new ReloadBeans());
        }
        var camel = PluginHelper.getBeanPostProcessor(context);
        for (Object group : groups) {
            camel.postProcessBeforeInitialization(group, group.getClass().getName());
        }
        groups.add(0, this);
        // every bean is made now, before any route: a lazy bean at its first lookup, the beans it injects first
        Registry registry = context.getRegistry();
        for (Object group : groups) {
            for (Class<?> c = group.getClass(); c != Object.class; c = c.getSuperclass()) {
                for (Method m : c.getDeclaredMethods()) {
                    BindToRegistry bean = m.getAnnotation(BindToRegistry.class);
                    if (bean != null) {
                        registry.lookupByName(bean.value());
                    }
                }
            }
        }
        // Camel Main looks for these plug-ins in the registry before configuration classes run: they are handed over
        if (registry.lookupByName("routeReloader") instanceof RouteReloader reloader) {
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
        if (s.flag("camel.metrics.enabled")) {
            context.addService(new MetersOnCamelsRegistry(registry));
        }
    }

    /**
     * The bundle's meters (ops.Meters) count into the registry Camel Main made for camel.metrics.* (bound as
     * metricsRegistry: what /observe/metrics serves, with Camel's route policy and the binders), while Camel runs.
     */
    private static final class MetersOnCamelsRegistry extends ServiceSupport {
        private final Registry registry;

        MetersOnCamelsRegistry(Registry registry) {
            this.registry = registry;
        }

        @Override
        protected void doStart() {
            closetaskbulk.ops.Meters.on(org.apache.camel.component.micrometer.MicrometerUtils
                    .getMeterRegistryFromCamelRegistry(registry, "metricsRegistry"));
        }

        @Override
        protected void doStop() {
            closetaskbulk.ops.Meters.on(null);
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
                !Settings.isLoopback(s.get("camel.management.host", "0.0.0.0")), s.allowedHosts(), s.uploadMaxBytes());
        context.addStartupListener((ctx, alreadyStarted) -> closetaskbulk.console.HttpGuard.install(ctx, access));
    }

    // ---- the beans ----

    /** The checked settings, for what reads them by key (the application's ready line, the sweeps' check). */
    @BindToRegistry("settings")
    public Settings settings() {
        return settings;
    }

    @BindToRegistry(value = "runState", lazy = true)
    public RunState runState(CamelContext context) {
        RunState runState = new RunState();
        runState.setContext(context);
        return runState;
    }

    @BindToRegistry(value = "pacer", lazy = true)
    public Pacer pacer(@PropertyInject("close.rate-limit.max-wait") long maxWait,
                       @PropertyInject(value = "close.max-requests-per-second", defaultValue = "0") double perSecond,
                       @PropertyInject(value = "close.rate-limit.share", defaultValue = "1") double share,
                       @PropertyInject("close.connect-timeout") long connectTimeout,
                       @PropertyInject("close.response-timeout") long responseTimeout,
                       @BeanInject("runState") RunState runState) {
        Pacer pacer = new Pacer(maxWait, perSecond, share, connectTimeout + responseTimeout);
        runState.onHalt(pacer::wakeAll);
        return pacer;
    }

    @BindToRegistry(value = "closeCall", lazy = true)
    public CloseCall closeCall(@PropertyInject("close.api-key") String apiKey, @PropertyInject("close.base-url") String baseUrl,
                               @BeanInject("pacer") Pacer pacer, @BeanInject("runState") RunState runState) {
        return new CloseCall(apiKey.trim(), baseUrl, closetaskbulk.ops.Version.get(), pacer, runState::haltReason);
    }

    @BindToRegistry(value = "heldFiles", lazy = true)
    public HeldFiles heldFiles(@BeanInject("runState") RunState runState) {
        return new HeldFiles(runState);
    }

    @BindToRegistry(value = "planAge", lazy = true)
    public PlanAge planAge(@PropertyInject(value = "bulk.plan.max-age", defaultValue = "24h") String asWritten) {
        return new PlanAge(settings.planMaxAge(), asWritten);
    }

    @BindToRegistry(value = "planSeals", lazy = true)
    public PlanSeals planSeals(Registry registry, @PropertyInject(value = "bulk.state", defaultValue = "data/state") String state) {
        ClusterStore db = registry.lookupByNameAndType("clusterStore", ClusterStore.class);
        return new PlanSeals(db != null ? db.planSeals() : fileRegister(Path.of(state.trim()), "plans.txt"));
    }

    /** The runs' journals: in the state folder, or the cluster's database. */
    @BindToRegistry(value = "journals", lazy = true)
    public Journal.Store journals(Registry registry, @PropertyInject(value = "bulk.state", defaultValue = "data/state") String state) {
        ClusterStore db = registry.lookupByNameAndType("clusterStore", ClusterStore.class);
        return db != null ? db.journals() : Journal.files(Path.of(state.trim()).resolve("journal"));
    }

    @BindToRegistry(value = "csvIntake", lazy = true)
    public CsvIntake csvIntake(@PropertyInject("bulk.done") String done, @PropertyInject("bulk.failed") String failed,
                               @PropertyInject(value = "bulk.state", defaultValue = "data/state") String state,
                               @PropertyInject("bulk.repeat") boolean repeat,
                               @BeanInject("runState") RunState runState, @BeanInject("heldFiles") HeldFiles held,
                               @BeanInject("planSeals") PlanSeals seals, @BeanInject("planAge") PlanAge planAge,
                               @BeanInject("journals") Journal.Store journals, Registry registry) {
        CsvIntake intake = new CsvIntake(Path.of(done.trim()), Path.of(failed.trim()), runState, held);
        Path stateDir = Path.of(state.trim());
        ClusterStore db = registry.lookupByNameAndType("clusterStore", ClusterStore.class);
        IdempotentRepository processed = db != null ? db.processedFiles() : processedFiles(stateDir);
        return intake.durable(stateDir, processed, journals, repeat).seals(seals).planAge(planAge)
                .extraColumns(settings.extraColumns());
    }

    @BindToRegistry(value = "sweepSchedule", lazy = true)
    public SweepSchedule sweepSchedule(@PropertyInject(value = "bulk.state", defaultValue = "data/state") String state,
                                       @BeanInject("runState") RunState runState) {
        return new SweepSchedule(Path.of(state.trim()), runState);
    }

    @BindToRegistry(value = "sweeps", lazy = true)
    public Sweeps sweeps(@BeanInject("sweepSchedule") SweepSchedule schedule, @PropertyInject("close.list-limit") int listLimit,
                         @PropertyInject(value = "bulk.run-sweep", defaultValue = "") String runSweep,
                         @BeanInject("runState") RunState runState) {
        return new Sweeps(schedule, listLimit, runState, runSweep.trim());
    }

    @BindToRegistry(value = "bulkUpdate", lazy = true)
    public BulkUpdate bulkUpdate(@PropertyInject("close.retry.max-failed-batches") int maxFailedBatches) {
        return new BulkUpdate(maxFailedBatches);
    }

    @BindToRegistry(value = "rowCheck", lazy = true)
    public RowCheck rowCheck() {
        return new RowCheck(settings.dateFormat());
    }

    /** How every run opens (route run's open-run), read once: batching, filter, dry run, progress, journal, notifier. */
    @BindToRegistry(value = "runs", lazy = true)
    public Runs runs(@BeanInject("runState") RunState runState, @PropertyInject("bulk.reports") String reports,
                     @PropertyInject("close.batch-size") int batchSize,
                     @PropertyInject(value = "bulk.max-open-batches", defaultValue = "1000") int maxOpenBatches,
                     @PropertyInject("close.list-limit") int listLimit,
                     @PropertyInject(value = "close.read-before-write", defaultValue = "true") boolean readBeforeWrite,
                     @PropertyInject("bulk.dry-run") boolean dryRun, @PropertyInject("bulk.progress-interval") int progressMs,
                     @BeanInject("journals") Journal.Store journals, @BeanInject("notifier") Notifier notifier) {
        return new Runs(runState, new RunRules(Path.of(reports.trim()), batchSize, maxOpenBatches, listLimit,
                intakeFilter(settings), readBeforeWrite, dryRun, progressMs, journals, notifier::ended));
    }

    @BindToRegistry(value = "batchErrors", lazy = true)
    public BatchErrors batchErrors() {
        return new BatchErrors();
    }

    @BindToRegistry(value = "retryLog", lazy = true)
    public RetryLog retryLog(@PropertyInject("close.retry.initial-delay") long initialDelay,
                             @PropertyInject("close.retry.max-delay") long maxDelay) {
        return new RetryLog(initialDelay, maxDelay);
    }

    /** Where the console answers gives the links in notifications (a wildcard address: this machine's name). */
    @BindToRegistry(value = "notifier", lazy = true)
    public Notifier notifier(@PropertyInject(value = "bulk.notify.url", defaultValue = "") String url,
                             @PropertyInject(value = "camel.server.host", defaultValue = "127.0.0.1") String host,
                             @PropertyInject(value = "camel.server.port", defaultValue = "8080") int port,
                             CamelContext context) {
        String h = host.trim();
        if (h.equals("0.0.0.0") || h.equals("::") || h.equals("[::]")) {
            try {
                h = java.net.InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                h = "localhost";
            }
        }
        Notifier notifier = new Notifier(url.trim(), settings.notifyAlways(), "http://" + h + ":" + port);
        notifier.setCamelContext(context);
        return notifier;
    }

    /** Route notify's own HTTP client: a webhook that hangs must not hold a --once exit for Close's timeouts. */
    @BindToRegistry(value = "notify-http", lazy = true)
    public org.apache.camel.component.http.HttpComponent notifyHttp() {
        var http = new org.apache.camel.component.http.HttpComponent();
        http.setConnectTimeout(5000);
        http.setConnectionRequestTimeout(5000);
        http.setResponseTimeout(10000);
        http.setSoTimeout(10000);
        http.setAutomaticRetriesDisabled(true); // the route's redelivery owns every retry
        return http;
    }

    /** The camel CLI's connector (camel get, camel trace): for engineers in --demo, off otherwise. */
    @BindToRegistry(value = "cliConnectorFactory", lazy = true)
    public org.apache.camel.cli.connector.DefaultCliConnectorFactory cliConnectorFactory(
            @PropertyInject("bulk.dev-tools") boolean devTools) {
        var cli = new org.apache.camel.cli.connector.DefaultCliConnectorFactory();
        cli.setEnabled(devTools);
        return cli;
    }

    /**
     * The bundle's health check, on /observe/health beside Camel's own: Camel's health-check registry takes every
     * check bound in the registry (camel.health.registry-enabled).
     */
    @BindToRegistry(value = "bundleHealth", lazy = true)
    public BundleHealth bundleHealth(@BeanInject("runState") RunState runState, @PropertyInject("bulk.inbox") String inbox,
                                     @BeanInject("heldFiles") HeldFiles held, Registry registry) {
        InboxLeadership leadership = registry.lookupByNameAndType("inboxLeadership", InboxLeadership.class);
        return new BundleHealth(runState, Path.of(inbox), leadership == null ? null : leadership::leads, held::troubles);
    }

    /** With the cluster profile (cluster.enabled): shared state in PostgreSQL, one instance leads the inbox. */
    public static class ClusterBeans {

        @BindToRegistry(value = "clusterStore", lazy = true)
        public ClusterStore clusterStore(@PropertyInject("cluster.db.url") String url,
                                         @PropertyInject(value = "cluster.db.user", defaultValue = "") String user,
                                         @PropertyInject(value = "cluster.db.password", defaultValue = "") String password,
                                         @PropertyInject("cluster.db.pool-size") int poolSize) {
            return ClusterStore.open(url, user.trim(), password.trim(), poolSize);
        }

        @BindToRegistry(value = "clusterLeader", lazy = true)
        public PgLeader clusterLeader(@PropertyInject("cluster.db.url") String url,
                                      @PropertyInject(value = "cluster.db.user", defaultValue = "") String user,
                                      @PropertyInject(value = "cluster.db.password", defaultValue = "") String password,
                                      @PropertyInject(value = "cluster.node-id", defaultValue = "") String nodeId,
                                      @PropertyInject("cluster.leader-check-interval") long checkMs) {
            return new PgLeader(url, user.trim(), password.trim(), nodeId(nodeId), checkMs);
        }

        @BindToRegistry(value = "inboxLeadership", lazy = true)
        public InboxLeadership inboxLeadership(@BeanInject("clusterLeader") PgLeader leader,
                                               @PropertyInject("bulk.inbox") String inbox) {
            return new InboxLeadership(leader, Path.of(inbox).toAbsolutePath().normalize().toString());
        }
    }

    /** The run console's beans (routes/console.camel.yaml), with the console's server (camel.server.enabled). */
    public class ConsoleBeans {

        @BindToRegistry(value = "consoleGuard", lazy = true)
        public ConsoleGuard consoleGuard() {
            return new ConsoleGuard();
        }

        /** The platform-http engine told the console's port (docs/CAMEL.md, "Two embedded servers, one engine"). */
        @BindToRegistry(value = "platform-http-engine", lazy = true)
        public closetaskbulk.console.ConsoleHttpEngine platformHttpEngine(@PropertyInject("camel.server.port") int port) {
            return new closetaskbulk.console.ConsoleHttpEngine(port);
        }

        @BindToRegistry(value = "sweepList", lazy = true)
        public SweepList sweepList(@BeanInject("sweepSchedule") SweepSchedule schedule) {
            return new SweepList(schedule);
        }

        @BindToRegistry(value = "console", lazy = true)
        public closetaskbulk.console.Console console(@PropertyInject("bulk.reports") String reports,
                                                     @PropertyInject(value = "bulk.approved", defaultValue = "data/approved") String approved,
                                                     @BeanInject("planAge") PlanAge planAge, @BeanInject("runs") Runs runs,
                                                     @BeanInject("runState") RunState runState, @BeanInject("pacer") Pacer pacer,
                                                     @BeanInject("sweepList") SweepList sweeps,
                                                     @BeanInject("consoleGuard") ConsoleGuard guard) {
            return new closetaskbulk.console.Console(Path.of(reports), Path.of(approved.trim()), planAge, runs, runState, pacer,
                    sweeps, guard, settings.uploadMaxBytes());
        }

        @BindToRegistry(value = "consoleActions", lazy = true)
        public closetaskbulk.console.ConsoleActions consoleActions(@PropertyInject("bulk.reports") String reports,
                                                                   @PropertyInject("bulk.inbox") String inbox,
                                                                   @PropertyInject(value = "bulk.preview", defaultValue = "data/preview") String preview,
                                                                   @PropertyInject(value = "bulk.approved", defaultValue = "data/approved") String approved,
                                                                   @BeanInject("sweepList") SweepList sweeps,
                                                                   @BeanInject("sweepSchedule") SweepSchedule schedule,
                                                                   @BeanInject("console") closetaskbulk.console.Console console) {
            return new closetaskbulk.console.ConsoleActions(Path.of(reports), Path.of(inbox), Path.of(preview.trim()),
                    Path.of(approved.trim()), settings.uploadMaxBytes(), sweeps, schedule, console);
        }
    }

    /** Route reload (bulk.routes-reload, or Camel's camel.main.routes-reload-enabled): the bundle's reloader. */
    public static class ReloadBeans {

        @BindToRegistry(value = "routeReloader", lazy = true)
        public RouteReloader routeReloader(
                @PropertyInject(value = "bulk.routes-reload-directory", defaultValue = "routes") String directory,
                @PropertyInject("camel.main.routes-include-pattern") String includePattern) {
            return new RouteReloader(directory.trim(), includePattern);
        }

        /** DOWN while the last reload failed (Camel's health-check registry takes it, as the bundle's own). */
        @BindToRegistry(value = "routesReloadHealth", lazy = true)
        public org.apache.camel.health.HealthCheck routesReloadHealth(@BeanInject("routeReloader") RouteReloader reloader) {
            return reloader.health();
        }
    }

    // ---- helpers ----

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
    static IdempotentRepository processedFiles(Path state) {
        return fileRegister(state, "processed-files.txt");
    }

    /** A Camel file-backed idempotent repository in the state folder. */
    static IdempotentRepository fileRegister(Path state, String file) {
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
    static String nodeId(String configured) {
        if (!configured.isBlank()) {
            return configured.trim();
        }
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
