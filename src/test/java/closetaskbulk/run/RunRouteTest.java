package closetaskbulk.run;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import closetaskbulk.close.CloseCall;
import closetaskbulk.close.Pacer;
import closetaskbulk.close.RetryLog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Route run (routes/run.camel.yaml) as shipped, its batch work woven out (step to-bulk-update): every row is
 * checked, good rows go out in batches of one update, and the run's reply comes once its batches are done.
 */
class RunRouteTest extends CamelMainTestSupport {

    @TempDir
    Path reports;

    private final RunState runState = new RunState();

    @Override
    public void configureTest(TestExecutionConfiguration test) {
        super.configureTest(test);
        test.withUseAdviceWith(true);
    }

    @Override
    protected void configure(MainConfigurationProperties main) {
        main.withRoutesIncludePattern("file:routes/run.camel.yaml,file:routes/errors.camel.yaml");
    }

    @Override
    public void configureContext(CamelContextConfiguration camel) {
        super.configureContext(camel);
        Properties p = new Properties();
        p.putAll(Map.of("bulk.batch-queue-size", "4", "close.concurrency", "2", "close.retry.max-attempts", "0",
                "close.retry.initial-delay", "10", "close.retry.max-delay", "10"));
        camel.withUseOverridePropertiesWithPropertiesComponent(p);
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("runs", new Runs(runState, new RunRules(reports, 2, 1, 100, Map.of(), true, false, 60_000, null,
                summary -> { })));
        registry.bind("rowCheck", new RowCheck());
        registry.bind("batchErrors", new BatchErrors());
        registry.bind("runState", runState);
        registry.bind("planSeals", new PlanSeals(
                org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository.memoryIdempotentRepository()));
        registry.bind("retryLog", new RetryLog(10, 10));
        registry.bind("closeCall", new CloseCall("api_test", "http://127.0.0.1:9", "test", new Pacer(1000, 0),
                runState::haltReason));
    }

    @Test
    void goodRowsLeaveInBatchesOfOneUpdateAndEveryRowGetsAResult() throws Exception {
        AdviceWith.adviceWith(context, "batch-worker",
                a -> a.weaveById("to-bulk-update").replace().to("mock:bulk-update"));
        context.start();
        MockEndpoint bulkUpdate = getMockEndpoint("mock:bulk-update");
        bulkUpdate.expectedMessageCount(2);
        bulkUpdate.whenAnyExchangeReceived(e -> updated(e.getIn().getBody(Batch.class)));
        NotifyBuilder batchesDone = new NotifyBuilder(context).fromRoute("batch-worker").whenDone(2).create();

        rows = List.of(row(2, "task_a"), row(3, "not an id"), row(4, "task_b"), row(5, "task_a"), row(6, "task_c"));
        Exchange reply = template.send("direct:run", e -> {
            e.setProperty(RunDescription.PROPERTY, new RunDescription("t", "test").updateColumns(List.of("is_complete")));
            e.getIn().setBody(rows);
        });
        Run run = reply.getProperty(Runs.RUN, Run.class);

        assertTrue(batchesDone.matches(10, TimeUnit.SECONDS));
        bulkUpdate.assertIsSatisfied();
        assertEquals(List.of(List.of("task_a", "task_b"), List.of("task_c")),
                bulkUpdate.getExchanges().stream().map(e -> e.getIn().getBody(Batch.class))
                        .sorted(java.util.Comparator.comparingInt(Batch::number)).map(Batch::ids).toList(),
                "two workers: in any order");
        assertEquals(List.of(Status.UPDATED, Status.INVALID, Status.UPDATED, Status.DUPLICATE, Status.UPDATED),
                List.of(run.results().status(2), run.results().status(3), run.results().status(4), run.results().status(5), run.results().status(6)));
        assertEquals(5, ((Map<?, ?>) reply.getMessage().getBody(Map.class)).get("rows"), "the summary is the reply");
    }

    @Test
    void pastMaxOpenUpdatesTheOldestBatchLeavesEarlyByStepBatchEarly() throws Exception {
        AdviceWith.adviceWith(context, "batch-worker",
                a -> a.weaveById("to-bulk-update").replace().to("mock:bulk-update"));
        AdviceWith.adviceWith(context, "run", a -> {
            a.weaveById("queue-early-batch").before().to("mock:early");
            a.weaveById("queue-last-batch").before().to("mock:last");
        });
        context.start();
        MockEndpoint bulkUpdate = getMockEndpoint("mock:bulk-update");
        bulkUpdate.whenAnyExchangeReceived(e -> updated(e.getIn().getBody(Batch.class)));
        bulkUpdate.expectedMessageCount(3);
        MockEndpoint early = getMockEndpoint("mock:early");
        early.expectedHeaderReceived(Runs.BATCH_CUT, "max-open");
        MockEndpoint last = getMockEndpoint("mock:last");

        // bulk.max-open-batches is 1 here: each new update sends the open one early
        Row bob = new Row(3, "task_b", Map.of("assigned_to", "user_bob"), List.of("task_b", "user_bob"), null);
        rows = List.of(row(2, "task_a"), bob, row(4, "task_c"));
        Exchange reply = template.send("direct:run", e -> {
            e.setProperty(RunDescription.PROPERTY, new RunDescription("t", "test").updateColumns(List.of("is_complete")));
            e.getIn().setBody(rows);
        });
        Run run = reply.getProperty(Runs.RUN, Run.class);

        bulkUpdate.assertIsSatisfied();
        assertEquals(List.of(List.of("task_a"), List.of("task_b")),
                early.getExchanges().stream().map(e -> e.getIn().getBody(Batch.class).ids()).toList());
        assertEquals(List.of(List.of("task_c")),
                last.getExchanges().stream().map(e -> e.getIn().getBody(Batch.class).ids()).toList());
        assertEquals(Status.UPDATED, run.results().status(3));
    }

    private List<Row> rows;

    private static Row row(int line, String id) {
        return new Row(line, id, Map.of("is_complete", "true"), List.of(id, "true"), null);
    }

    /** What route bulk-update does when Close confirms a batch. */
    private static void updated(Batch b) {
        for (int i = 0; i < b.size(); i++) {
            b.run().results().result(b.line(i), Status.UPDATED, 200, null);
        }
    }
}
