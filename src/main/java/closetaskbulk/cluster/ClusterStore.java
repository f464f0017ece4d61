package closetaskbulk.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import closetaskbulk.run.Journal;

/**
 * The cluster profile's shared state in PostgreSQL (docs/CLUSTER.md): the schema (Quartz's own tables from the
 * DDL in its jar, then ours from db/migration, recorded in Flyway's history layout), the run journals, the processed-file
 * register and the plan seals (table camel_messageprocessed, the layout of Camel's JdbcMessageIdRepository, in
 * plain JDBC).
 */
public final class ClusterStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterStore.class);
    /** The migrations in order: version, description, script (the history's columns). */
    private static final String[][] MIGRATIONS = {
        {"1", "Quartz tables", "closetaskbulk.cluster.ClusterStore$V1__Quartz_tables"},
        {"2", "close task bulk", "V2__close_task_bulk.sql"},
    };
    /** The advisory lock every instance takes to migrate: one at a time. */
    private static final long MIGRATION_LOCK = 0x6374625f736368L; // "ctb_sch"

    private final HikariDataSource ds;

    private ClusterStore(HikariDataSource ds) {
        this.ds = ds;
    }

    /** Connects and brings the schema up to date (every instance may do it: they take a lock in turn). */
    public static ClusterStore open(String url, String user, String password, int poolSize) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(url);
        c.setUsername(user);
        c.setPassword(password);
        c.setMaximumPoolSize(poolSize);
        c.setPoolName("close-task-bulk");
        c.setConnectionTimeout(10_000);
        c.setInitializationFailTimeout(10_000);
        HikariDataSource ds = new HikariDataSource(c);
        try {
            migrate(ds);
        } catch (SQLException | IOException | RuntimeException e) {
            ds.close();
            throw new IllegalStateException("bringing the database schema up to date: " + e.getMessage(), e);
        }
        return new ClusterStore(ds);
    }

    public DataSource dataSource() {
        return ds;
    }

    /**
     * The processed-file register on table camel_messageprocessed (created by the migration): plain JDBC, in the
     * layout of Camel's JdbcMessageIdRepository (camel-sql would bring Spring for this one class).
     */
    public IdempotentRepository processedFiles() {
        return new ProcessedRegister("close-task-bulk");
    }

    /** The seals of the plans dry runs wrote (run.PlanSeals): the same table, under their own processor name. */
    public IdempotentRepository planSeals() {
        return new ProcessedRegister("close-task-bulk-plans");
    }

    /** Run journals in table ctb_journal: one row per journal line, as the file journal writes them. */
    public Journal.Store journals() {
        return sha -> new DbLog(sha);
    }

    @Override
    public void close() {
        ds.close();
    }

    private final class DbLog implements Journal.Log {
        private final String sha;

        DbLog(String sha) {
            this.sha = sha;
        }

        @Override
        public boolean unfinished() throws IOException {
            try (Connection c = ds.getConnection();
                 PreparedStatement st = c.prepareStatement("SELECT 1 FROM ctb_journal WHERE sha = ? AND NOT aside LIMIT 1")) {
                st.setString(1, sha);
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next();
                }
            } catch (SQLException e) {
                throw new IOException("reading the run journal from the database: " + e.getMessage(), e);
            }
        }

        @Override
        public void scan(Journal.LineVisitor visitor) throws IOException {
            try (Connection c = ds.getConnection()) {
                boolean auto = c.getAutoCommit();
                c.setAutoCommit(false); // PostgreSQL streams a result (fetch size) only inside a transaction
                try (PreparedStatement st = c.prepareStatement(
                        "SELECT seq, line FROM ctb_journal WHERE sha = ? AND NOT aside ORDER BY seq")) {
                    st.setFetchSize(500);
                    st.setString(1, sha);
                    try (ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            visitor.line(rs.getLong(1), rs.getString(2));
                        }
                    }
                } finally {
                    c.rollback();
                    c.setAutoCommit(auto);
                }
            } catch (SQLException e) {
                throw new IOException("reading the run journal from the database: " + e.getMessage(), e);
            }
        }

        @Override
        public String lineAt(long position) throws IOException {
            try (Connection c = ds.getConnection();
                 PreparedStatement st = c.prepareStatement("SELECT line FROM ctb_journal WHERE seq = ?")) {
                st.setLong(1, position);
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() ? rs.getString(1) : "";
                }
            } catch (SQLException e) {
                throw new IOException("reading the run journal from the database: " + e.getMessage(), e);
            }
        }

        @Override
        public void append(String line) throws IOException {
            update("INSERT INTO ctb_journal (sha, line) VALUES (?, ?)", line); // committed: durable
        }

        @Override
        public String setAside() throws IOException {
            update("UPDATE ctb_journal SET aside = TRUE WHERE sha = ? AND NOT aside", null);
            return "rows of ctb_journal with sha " + sha + " and aside = true";
        }

        @Override
        public void delete() throws IOException {
            update("DELETE FROM ctb_journal WHERE sha = ? AND NOT aside", null);
        }

        @Override
        public void close() {
        }

        private void update(String sql, String line) throws IOException {
            try (Connection c = ds.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
                st.setString(1, sha);
                if (line != null) {
                    st.setString(2, line);
                }
                st.executeUpdate();
            } catch (SQLException e) {
                throw new IOException("writing the run journal to the database: " + e.getMessage(), e);
            }
        }
    }

    /** One row per content (messageId its SHA-256) under one processorName: files processed, plans sealed. */
    private final class ProcessedRegister extends ServiceSupport implements IdempotentRepository {
        private final String name;

        ProcessedRegister(String name) {
            this.name = name;
        }

        @Override
        public boolean contains(String key) {
            try (Connection c = ds.getConnection(); PreparedStatement st = c.prepareStatement(
                    "SELECT 1 FROM camel_messageprocessed WHERE processorName = ? AND messageId = ?")) {
                st.setString(1, name);
                st.setString(2, key);
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next();
                }
            } catch (SQLException e) {
                throw new IllegalStateException("reading the processed-file register: " + e.getMessage(), e);
            }
        }

        @Override
        public boolean add(String key) {
            return change("INSERT INTO camel_messageprocessed (processorName, messageId, createdAt) "
                    + "VALUES (?, ?, now()) ON CONFLICT DO NOTHING", key);
        }

        @Override
        public boolean remove(String key) {
            return change("DELETE FROM camel_messageprocessed WHERE processorName = ? AND messageId = ?", key);
        }

        @Override
        public boolean confirm(String key) {
            return true;
        }

        @Override
        public void clear() {
            change("DELETE FROM camel_messageprocessed WHERE processorName = ?", null);
        }

        /** Runs one statement (committed: durable); true when it changed a row. */
        private boolean change(String sql, String key) {
            try (Connection c = ds.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
                st.setString(1, name);
                if (key != null) {
                    st.setString(2, key);
                }
                return st.executeUpdate() > 0;
            } catch (SQLException e) {
                throw new IllegalStateException("writing the processed-file register: " + e.getMessage(), e);
            }
        }
    }

    /**
     * The schema's migrations in one transaction under an advisory lock (PostgreSQL's DDL is transactional: all or
     * nothing). The history keeps Flyway's layout and table, which made the schema before 0.1.0's lib/ diet: a
     * database it migrated is used as it is.
     */
    static void migrate(DataSource ds) throws SQLException, IOException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
                st.execute("CREATE TABLE IF NOT EXISTS ctb_schema_history (installed_rank INT PRIMARY KEY, "
                        + "version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, "
                        + "script VARCHAR(1000) NOT NULL, checksum INT, installed_by VARCHAR(100) NOT NULL, "
                        + "installed_on TIMESTAMP NOT NULL DEFAULT now(), execution_time INT NOT NULL, "
                        + "success BOOLEAN NOT NULL)");
                java.util.Set<String> done = new java.util.HashSet<>();
                int rank = 0;
                try (ResultSet rs = st.executeQuery("SELECT version, success, installed_rank FROM ctb_schema_history")) {
                    while (rs.next()) {
                        if (rs.getBoolean(2)) {
                            done.add(rs.getString(1));
                        }
                        rank = Math.max(rank, rs.getInt(3));
                    }
                }
                int applied = 0;
                for (String[] m : MIGRATIONS) {
                    if (done.contains(m[0])) {
                        continue;
                    }
                    long t0 = System.nanoTime();
                    boolean quartz = m[0].equals("1"); // the DDL shipped in Quartz's jar, its DROPs left out: a fresh schema
                    for (String statement : statements(resource(quartz ? "/org/quartz/impl/jdbcjobstore/tables_postgres.sql"
                            : "/db/migration/" + m[2]))) {
                        if (!quartz || !(statement.toUpperCase(java.util.Locale.ROOT).startsWith("DROP ")
                                || statement.equalsIgnoreCase("COMMIT"))) {
                            st.execute(statement);
                        }
                    }
                    try (PreparedStatement h = c.prepareStatement("INSERT INTO ctb_schema_history (installed_rank, "
                            + "version, description, type, script, installed_by, execution_time, success) "
                            + "VALUES (?, ?, ?, ?, ?, current_user, ?, TRUE)")) {
                        h.setInt(1, ++rank);
                        h.setString(2, m[0]);
                        h.setString(3, m[1]);
                        h.setString(4, m[2].endsWith(".sql") ? "SQL" : "JDBC");
                        h.setString(5, m[2]);
                        h.setInt(6, (int) ((System.nanoTime() - t0) / 1_000_000));
                        h.executeUpdate();
                    }
                    applied++;
                }
                c.commit();
                LOG.info("database schema at version {} ({} migrations applied now)",
                        MIGRATIONS[MIGRATIONS.length - 1][0], applied);
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static String resource(String path) throws IOException {
        try (InputStream in = ClusterStore.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException(path + " is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A script's statements: split at ';', comment lines left out (no ';' inside a literal in these scripts). */
    static java.util.List<String> statements(String script) {
        StringBuilder sql = new StringBuilder();
        for (String line : script.split("\n")) {
            if (!line.trim().startsWith("--")) {
                sql.append(line).append('\n');
            }
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String statement : sql.toString().split(";")) {
            if (!statement.isBlank()) {
                out.add(statement.strip());
            }
        }
        return out;
    }
}
