package closetaskbulk;

import java.util.List;

import org.apache.camel.CamelExecutionException;
import org.junit.jupiter.api.Test;

import closetaskbulk.close.CloseHalt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A Kamelet message whose key Close refuses: the bundle halts and the sender gets the halt. */
class KameletHaltServiceTest extends ServiceTestSupport {

    @Test
    void aRefusedKeyHaltsAndTheSenderGetsTheHalt() throws Exception {
        List<String> t = f.seed(3);
        CamelExecutionException e = assertThrows(CamelExecutionException.class, () -> template.requestBodyAndHeader(
                "kamelet:close-task-bulk-update-sink?isComplete=true&apiKey=revoked-key-0000", String.join("\n", t),
                "CloseTaskRunName", "nightly"));
        assertInstanceOf(CloseHalt.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("401"), e.getCause().getMessage());
        assertTrue(runState.isHalted());
        assertEquals(2, runState.exitCode());
        assertEquals(1, f.emulator.requests().size(), "one call answered 401, then none");
        String summary = f.files(f.reports).stream().filter(n -> n.startsWith("nightly-") && n.endsWith(".summary.json"))
                .findFirst().orElseThrow();
        assertEquals("halted", Fixture.JSON.readTree(f.reports.resolve(summary).toFile()).path("outcome").asText());
        for (String id : t) {
            assertEquals(false, f.emulator.store().get(id).path("is_complete").asBoolean());
        }
    }
}
