package closetaskbulk;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** After a 401 the service halts: the intake stops and files stay in the inbox. */
class HaltServiceTest extends ServiceTestSupport {

    @Test
    void aHaltStopsTheIntakeAndLeavesFilesInTheInbox() {
        List<String> ids = f.seed(4);
        f.emulator.revokeKey(Fixture.KEY);
        f.drop("first.csv", Fixture.csv("id,is_complete", ids.subList(0, 2).stream().map(i -> i + ",true").toList()));
        await().atMost(20, TimeUnit.SECONDS).until(runState::isHalted);
        await().atMost(20, TimeUnit.SECONDS).until(() ->
                context.getRouteController().getRouteStatus("csv-intake") == ServiceStatus.Stopped);
        f.drop("second.csv", Fixture.csv("id,is_complete", ids.subList(2, 4).stream().map(i -> i + ",true").toList()));
        assertEquals(1, f.emulator.requests().size(), "one call answered 401, then none");
        assertEquals(List.of("first.csv", "second.csv"), f.files(f.inbox));
        assertTrue(runState.haltReason().contains("401"));
        assertEquals(2, runState.exitCode());
        List<String> noWrites = new ArrayList<>(f.files(f.done));
        assertEquals(List.of(), noWrites);
    }
}
