package closetaskbulk;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import closetaskbulk.bulk.BulkUpdate;
import closetaskbulk.bulk.CloseCall;
import closetaskbulk.bulk.Journal;
import closetaskbulk.bulk.Pacer;
import closetaskbulk.bulk.Run;
import closetaskbulk.csv.CsvIntake;
import closetaskbulk.sweep.Sweeps;

/** The beans the YAML routes call, built from the settings. One place, for the main class and tests. */
public final class Bundle {

    /** Close's list filters that bulk.filter.* may add (shared/close-api/CONTRACT.md). */
    static final Set<String> FILTERS = Set.of("assigned_to", "is_complete", "lead_id", "organization_id", "_type",
            "_type__in", "view", "date", "date__lt", "date__lte", "date__gt", "date__gte", "due_date",
            "due_date__lt", "due_date__lte", "due_date__gt", "due_date__gte", "date_created__lt",
            "date_created__lte", "date_created__gt", "date_created__gte", "date_updated__lt", "date_updated__lte",
            "date_updated__gt", "date_updated__gte");

    private Bundle() {
    }

    public static String version() {
        try (InputStream in = Bundle.class.getResourceAsStream("/closetaskbulk/version.properties")) {
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException | NullPointerException e) {
            return "dev";
        }
    }

    public static boolean isCloseFilter(String name) {
        return FILTERS.contains(name);
    }

    /** Checks bulk.filter.*: only Close's list filters, never the ids (each batch sets those). */
    static Map<String, String> intakeFilter(Settings s) {
        Map<String, String> f = s.withPrefix("bulk.filter.");
        for (String k : f.keySet()) {
            if (!FILTERS.contains(k)) {
                throw new Settings.Invalid("bulk.filter." + k + " is not a Close task filter: use one of "
                        + String.join(", ", new java.util.TreeSet<>(FILTERS)));
            }
        }
        return f;
    }

    /** Camel's file-backed idempotent repository: the SHA-256 of every file content processed. */
    static org.apache.camel.spi.IdempotentRepository processedFiles(Path state) {
        try {
            java.nio.file.Files.createDirectories(state);
        } catch (IOException e) {
            throw new Settings.Invalid("bulk.state=" + state + " cannot be created: " + e.getMessage());
        }
        var repo = org.apache.camel.support.processor.idempotent.FileIdempotentRepository.fileIdempotentRepository(
                state.resolve("processed-files.txt").toFile(), 1_000_000, 512L * 1024 * 1024);
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

    public static Map<String, Object> beans(Settings s, RunState runState) {
        Run.progressEvery(s.intSetting("bulk.progress-interval"));
        Pacer pacer = new Pacer(Long.parseLong(s.get("close.rate-limit.max-wait", "600000")),
                Double.parseDouble(s.get("close.max-requests-per-second", "0")), Double.parseDouble(s.get("close.rate-limit.share", "1")),
                s.intSetting("close.connect-timeout") + (long) s.intSetting("close.response-timeout"));
        CloseCall call = new CloseCall(s.get("close.api-key", ""), s.get("close.base-url"), version(), pacer, runState);
        BulkUpdate bulk = new BulkUpdate(s.intSetting("close.list-limit"),
                Boolean.parseBoolean(s.get("close.read-before-write", "true")), runState);
        CsvIntake intake = new CsvIntake(Path.of(s.get("bulk.reports")), Path.of(s.get("bulk.done")),
                Path.of(s.get("bulk.failed")), s.flag("bulk.dry-run"), s.intSetting("close.batch-size"),
                Integer.parseInt(s.get("bulk.max-open-batches", "1000")), intakeFilter(s), runState);
        Path state = Path.of(s.get("bulk.state", "data/state"));
        Map<String, Object> beans = new LinkedHashMap<>();
        org.apache.camel.spi.IdempotentRepository processed;
        Journal.Store journals;
        if (s.flag("cluster.enabled")) { // shared state in PostgreSQL: docs/CLUSTER.md
            closetaskbulk.cluster.ClusterStore db = closetaskbulk.cluster.ClusterStore.open(s.get("cluster.db.url"),
                    s.get("cluster.db.user", ""), s.get("cluster.db.password", ""), s.intSetting("cluster.db.pool-size"));
            var leader = new closetaskbulk.cluster.PgLeader(s.get("cluster.db.url"), s.get("cluster.db.user", ""),
                    s.get("cluster.db.password", ""), nodeId(s), s.intSetting("cluster.leader-check-interval"));
            processed = db.processedFiles();
            journals = db.journals();
            beans.put("clusterStore", db);
            beans.put("clusterLeader", leader);
            beans.put("inboxLeadership", new closetaskbulk.cluster.InboxLeadership(leader,
                    Path.of(s.get("bulk.inbox")).toAbsolutePath().normalize().toString()));
        } else {
            processed = processedFiles(state);
            journals = Journal.files(state.resolve("journal"));
        }
        intake.durable(state, processed, journals, s.flag("bulk.repeat"),
                Boolean.parseBoolean(s.get("close.read-before-write", "true")));
        Sweeps sweeps = new Sweeps(Path.of(s.get("bulk.reports")), state,
                s.intSetting("close.batch-size"), s.intSetting("close.list-limit"), s.flag("bulk.dry-run"), runState,
                s.get("bulk.run-sweep", ""));
        beans.put("sweeps", sweeps);
        beans.put("runState", runState);
        beans.put("pacer", pacer);
        beans.put("closeCall", call);
        beans.put("bulkUpdate", bulk);
        beans.put("csvIntake", intake);
        return beans;
    }
}
