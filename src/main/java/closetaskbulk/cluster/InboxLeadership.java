package closetaskbulk.cluster;

import org.apache.camel.CamelContext;
import org.apache.camel.NamedNode;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;

import closetaskbulk.run.RunState;

/**
 * With the cluster profile, the CSV intake route runs only on the instance that leads its inbox (Camel's
 * ClusteredRoutePolicy on {@link PgLeader}, namespace "inbox:" and the inbox's path): one instance reads a
 * shared inbox at a time, so each file is processed once; when it dies, another takes the inbox over and resumes the
 * file it left from the journal. Bundle hands this factory to Camel.
 */
public class InboxLeadership implements RoutePolicyFactory {

    private final PgLeader leader;
    private final String namespace;
    private ClusteredRoutePolicy policy;

    /** @param inbox as every instance names it (bulk.inbox): instances on one inbox must agree on its path */
    public InboxLeadership(PgLeader leader, String inbox) {
        this.leader = leader;
        this.namespace = "inbox:" + inbox;
    }

    @Override
    public synchronized RoutePolicy createRoutePolicy(CamelContext context, String routeId, NamedNode route) {
        // the instance that leads reads every folder of files (the inbox, bulk.preview, bulk.approved): the
        // sources (route group "sources") that consume files; sweeps have clustered Quartz instead
        if (!(route instanceof org.apache.camel.model.RouteDefinition r) || !RunState.SOURCES.equals(r.getGroup())
                || r.getInput() == null || !r.getInput().getEndpointUri().startsWith("file:")) {
            return null;
        }
        if (policy == null) {
            try {
                policy = ClusteredRoutePolicy.forNamespace(leader, namespace);
            } catch (Exception e) {
                throw new IllegalStateException("cannot set up the inbox leader election", e);
            }
            policy.setCamelContext(context);
        }
        return policy;
    }

    /** True when this instance leads the inbox now. */
    public boolean leads() {
        return leader.isLeader(namespace);
    }
}
