package closetaskbulk.cluster;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.support.cluster.AbstractCamelClusterService;
import org.apache.camel.support.cluster.AbstractCamelClusterView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election on a PostgreSQL advisory lock, as a Camel cluster service (what ClusteredRoutePolicy and
 * master: run on). Each namespace is one lock, held by one session: the instance whose connection holds it
 * leads. A killed instance's connection closes and PostgreSQL releases its lock at once, so another instance
 * takes over on its next check. An instance that cannot reach the database gives up leadership on its next
 * check (its connection, and with it the lock, is gone or going).
 */
public class PgLeader extends AbstractCamelClusterService<PgLeader.View> {

    private static final Logger LOG = LoggerFactory.getLogger(PgLeader.class);

    private final String url;
    private final Properties login;
    private final String nodeId;
    private final long checkMs;

    public PgLeader(String url, String user, String password, String nodeId, long checkMs) {
        super("close-task-bulk-pg");
        this.url = url;
        this.login = new Properties();
        login.setProperty("user", user);
        login.setProperty("password", password);
        login.setProperty("ApplicationName", "close-task-bulk leader " + nodeId);
        login.setProperty("tcpKeepAlive", "true");
        login.setProperty("socketTimeout", String.valueOf(Math.max(5, checkMs * 3 / 1000)));
        this.nodeId = nodeId;
        this.checkMs = checkMs;
    }

    @Override
    protected View createView(String namespace) {
        return new View(namespace);
    }

    /** One namespace: one advisory lock, checked every cluster.leader-check-interval. */
    final class View extends AbstractCamelClusterView {
        private final CamelClusterMember local = new CamelClusterMember() {
            @Override
            public boolean isLeader() {
                return leader;
            }

            @Override
            public boolean isLocal() {
                return true;
            }

            @Override
            public String getId() {
                return nodeId;
            }
        };
        private volatile boolean leader;
        private Connection session;
        private ScheduledExecutorService timer;

        View(String namespace) {
            super(PgLeader.this, namespace);
        }

        @Override
        public Optional<CamelClusterMember> getLeader() {
            return leader ? Optional.of(local) : Optional.empty();
        }

        @Override
        public CamelClusterMember getLocalMember() {
            return local;
        }

        @Override
        public List<CamelClusterMember> getMembers() {
            return List.of(local);
        }

        @Override
        protected void doStart() {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "leader election");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(this::check, 0, checkMs, TimeUnit.MILLISECONDS);
        }

        @Override
        protected void doStop() {
            timer.shutdownNow();
            try {
                timer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (leader) {
                leader = false;
                fireLeadershipChangedEvent(Optional.empty());
            }
            closeSession(); // releases the lock
        }

        private void check() {
            try {
                if (session == null || session.isClosed()) {
                    session = DriverManager.getConnection(url, login);
                }
                if (!leader) {
                    try (PreparedStatement st = session.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
                        st.setString(1, "close-task-bulk:" + getNamespace());
                        try (ResultSet rs = st.executeQuery()) {
                            if (rs.next() && rs.getBoolean(1)) {
                                leader = true;
                                LOG.info("this instance ({}) leads {}", nodeId, getNamespace());
                                fireLeadershipChangedEvent(local);
                            }
                        }
                    }
                } else {
                    try (Statement st = session.createStatement()) {
                        st.execute("SELECT 1"); // still connected: still holding the lock
                    }
                }
            } catch (SQLException | RuntimeException e) {
                closeSession();
                if (leader) {
                    leader = false;
                    LOG.error("{}: lost the database ({}); this instance stops leading", getNamespace(), e.getMessage());
                    fireLeadershipChangedEvent(Optional.empty());
                } else {
                    LOG.warn("{}: cannot reach the database to elect a leader: {}", getNamespace(), e.getMessage());
                }
            }
        }

        private void closeSession() {
            try {
                if (session != null) {
                    session.close();
                }
            } catch (SQLException e) {
                LOG.debug("closing the leader session: {}", e.toString());
            }
            session = null;
        }
    }
}
