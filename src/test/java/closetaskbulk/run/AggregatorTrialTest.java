package closetaskbulk.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Why route run batches with {@link Batcher} and not Camel's Aggregator (docs/DECISIONS.md, "Batching: Camel's
 * Aggregator weighed again"): the Aggregator as issue 22 sketches it, correlated by run and update, complete at
 * the batch size and all groups at a run's end. Each test pins one fact that rules it out; if a Camel version
 * changes one, the test fails and the decision is worth weighing again.
 */
class AggregatorTrialTest {

    @TempDir
    Path reports;

    /** Collects rows (String bodies) into a list: the Batch an aggregator would build. */
    static final AggregationStrategy LIST = (old, row) -> {
        if (old == null) {
            List<Object> rows = new ArrayList<>();
            rows.add(row.getIn().getBody());
            row.getIn().setBody(rows);
            return row;
        }
        if (row.getIn().getBody() != null) {
            old.getIn().getBody(List.class).add(row.getIn().getBody());
        }
        return old;
    };

    private static CamelContext aggregator(int size) throws Exception {
        CamelContext camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:rows").aggregate(header("key"), LIST).completionSize(size)
                        .process(e -> e.getIn().setHeader("thread", Thread.currentThread().getName()))
                        .to("mock:batches");
            }
        });
        camel.start();
        return camel;
    }

    private static void row(ProducerTemplate t, String run, String row) {
        t.sendBodyAndHeader("direct:rows", run + ":" + row, "key", run + "|done");
    }

    /** A run's end, as the issue sketches it: one message with CamelAggregationCompleteAllGroups. */
    private static void end(ProducerTemplate t) {
        t.sendBodyAndHeader("direct:rows", null, Exchange.AGGREGATION_COMPLETE_ALL_GROUPS, true);
    }

    @Test
    void completingAllGroupsAtOneRunsEndCutsTheOtherRunsBatches() throws Exception {
        try (CamelContext camel = aggregator(100)) {
            ProducerTemplate t = camel.createProducerTemplate();
            for (int i = 1; i <= 150; i++) { // a file and a sweep at once, one update each
                row(t, "file", "f" + i);
                row(t, "sweep", "s" + i);
            }
            end(t); // the file's rows end; the sweep is at its row 150 of 200
            for (int i = 151; i <= 200; i++) {
                row(t, "sweep", "s" + i);
            }
            end(t);
            MockEndpoint mock = camel.getEndpoint("mock:batches", MockEndpoint.class);
            org.awaitility.Awaitility.await().until(() -> mock.getReceivedCounter() == 5);
            List<Integer> sweep = new ArrayList<>();
            List<Exchange> batches = mock.getReceivedExchanges();
            for (Exchange e : batches) {
                List<?> rows = e.getIn().getBody(List.class);
                if (rows.get(0).toString().startsWith("sweep")) {
                    sweep.add(rows.size());
                }
            }
            // alone, the sweep's 200 rows are 2 batches of 100; the file's end cut it at 150
            List<Object> senders = batches.stream().map(e -> e.getIn().getHeader("thread")).distinct().toList();
            System.out.println("sent on " + senders + ", rows read on " + Thread.currentThread().getName());
            // a full batch leaves on the Aggregator's own thread: a full seda:batches would block that thread, not
            // the reader (bulk.batch-queue-size no longer holds the file back)
            assertTrue(!senders.contains(Thread.currentThread().getName()), senders.toString());
            assertEquals(List.of(100, 50, 50), sweep, "3 requests for 2, and cuts that depend on the other run's timing");
        }
    }

    @Test
    void nothingBoundsTheAggregatorsOpenGroups() throws Exception {
        int groups = 50_000;
        long aggregated;
        try (CamelContext camel = aggregator(100)) {
            ProducerTemplate t = camel.createProducerTemplate();
            long before = used();
            for (int i = 0; i < groups; i++) { // a reschedule with a date-time of its own on every row
                t.sendBodyAndHeader("direct:rows", "task_" + i, "key", "run|" + i);
            }
            aggregated = used() - before;
            assertEquals(0, camel.getEndpoint("mock:batches", MockEndpoint.class).getReceivedCounter(),
                    "every group stays open until the end: no counterpart of bulk.max-open-batches");
        }
        Run run = new Run("t", reports, "test", false, Map.of(), List.of("date"));
        Batcher batcher = new Batcher(run, 100, Integer.MAX_VALUE, 100);
        long before = used();
        for (int i = 0; i < groups; i++) {
            batcher.add(i + 2, "task_" + i, new Update(null, "2027-01-01T09:00:" + i + "Z", null), null, null);
        }
        long batched = used() - before;
        assertEquals(groups, batcher.flush().size());
        System.out.printf("open groups: %,d; Aggregator %,d bytes each, Batcher %,d bytes each%n", groups,
                aggregated / groups, batched / groups);
        // the bytes are printed, not asserted: a heap measured inside a test suite is the JVM's weather (the
        // figures in docs/DECISIONS.md come from quiet runs)
    }

    private static long used() {
        Runtime r = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return r.totalMemory() - r.freeMemory();
    }
}
