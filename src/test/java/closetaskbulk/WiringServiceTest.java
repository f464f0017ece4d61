package closetaskbulk;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.junit.jupiter.api.Test;

import closetaskbulk.run.BatchErrors;
import closetaskbulk.run.Runs;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The wiring is Camel's, with Camel Main alone (no listener of the application's): the beans are in the registry by
 * the names the routes use (an engineer's route uses the same), one is replaced by overriding its method, the
 * bundle's health check is found by Camel's health-check registry, and the bundle's meters count into Camel's
 * metrics registry.
 */
class WiringServiceTest extends ServiceTestSupport {

    /** A bean replaced the way a test or an embedding application does it. */
    public static class OwnBatchErrors extends BatchErrors {
    }

    public static class OwnBundle extends TestBundle {
        @Override
        public BatchErrors batchErrors() {
            return new OwnBatchErrors();
        }
    }

    @Override
    protected Class<? extends TestBundle> bundle() {
        return OwnBundle.class;
    }

    @Test
    void camelWiresTheBeansTheHealthCheckAndTheMeters() throws Exception {
        var registry = context.getRegistry();
        for (String name : List.of("runState", "pacer", "closeCall", "csvIntake", "sweeps", "sweepSchedule", "bulkUpdate",
                "rowCheck", "runs", "retryLog", "notifier", "heldFiles", "planSeals", "planAge", "console", "consoleActions",
                "consoleGuard", "settings")) {
            assertNotNull(registry.lookupByName(name), name);
        }
        assertInstanceOf(OwnBatchErrors.class, registry.lookupByName("batchErrors"));
        // one instance per name, whoever asks
        assertTrue(registry.lookupByName("runs") == registry.lookupByNameAndType("runs", Runs.class));

        HealthCheck bundle = HealthCheckRegistry.get(context).getCheck("bundle").orElse(null);
        assertNotNull(bundle, "the bundle's check, from Camel's registry");
        assertEquals("close-task-bulk", bundle.getGroup());
        assertEquals(HealthCheck.State.UP, bundle.call().getState(), () -> bundle.call().getMessage().orElse(""));

        List<String> ids = f.seed(2);
        f.drop("wired.csv", Fixture.csv("id,is_complete", ids.stream().map(i -> i + ",true").toList()));
        await().atMost(30, TimeUnit.SECONDS).until(() -> f.files(f.done).contains("wired.csv"));
        MeterRegistry meters = registry.lookupByNameAndType("metricsRegistry", MeterRegistry.class);
        await().atMost(10, TimeUnit.SECONDS).until(() -> meters.find("closetaskbulk.rows").tag("status", "UPDATED")
                .counter() != null && meters.find("closetaskbulk.rows").tag("status", "UPDATED").counter().count() == 2.0);
    }
}
