package closetaskbulk;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.ServiceStatus;
import org.apache.camel.spi.Registry;
import org.junit.jupiter.api.Test;

import closetaskbulk.emulator.CloseEmulator.Recorded;
import closetaskbulk.sweep.SweepSchedule;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sweep added as the README says (one YAML file and config lines) fires on its cron, with dates relative
 * to a fixed clock in its own time zone, and lists exactly what its definition says.
 */
class SweepCronServiceTest extends ServiceTestSupport {

    // 00:30 on 1 April 2026 in Berlin (CEST, UTC+2)
    static final Instant RUN_AT = Instant.parse("2026-03-31T22:30:00Z");

    @Override
    protected void prepare(Fixture fx) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("enabled", "true");
        v.put("cron", "0/1 * * * * ?");
        v.put("time-zone", "Europe/Berlin");
        v.put("filter", "_type__in=email_followup,missed_call&is_complete=false"
                + "&date__lt=${date-with-timezone:exchangeProperty.runAt-30d:Europe/Berlin:yyyy-MM-dd}");
        v.put("is-complete", "true");
        fx.addSweep("stale-test", v);
        put(fx, "noti_Old", "email_followup", "2026-02-01", false);
        put(fx, "noti_OldCall", "missed_call", "2026-02-27T10:00:00+00:00", false);
        put(fx, "noti_Recent", "email_followup", "2026-03-15", false);
        put(fx, "noti_Voicemail", "voicemail", "2026-01-01", false);
        put(fx, "task_Lead", "lead", "2026-01-01", false);
    }

    static void put(Fixture fx, String id, String type, String date, boolean complete) {
        ObjectNode t = Fixture.JSON.createObjectNode();
        t.put("id", id).put("_type", type).put("date", date).put("is_complete", complete).put("assigned_to", Fixture.ALICE);
        fx.emulator.store().put(t);
    }

    @Override
    protected void beans(Registry registry) {
        registry.lookupByNameAndType("sweepSchedule", SweepSchedule.class).setClock(Clock.fixed(RUN_AT, ZoneOffset.UTC));
    }

    @Test
    void firesOnItsCronWithExactlyTheFiltersItDefines() {
        await().atMost(20, TimeUnit.SECONDS).until(() -> f.count("PUT /task/") >= 1);
        Recorded list = f.emulator.requests("GET /task/").get(0);
        JsonNode p = list.json().get("_params");
        // runAt-30d is 30 x 24 h: 2026-03-01T23:30 in Berlin (CET, before the clocks changed)
        assertEquals("{\"_type__in\":\"email_followup,missed_call\",\"is_complete\":\"false\",\"date__lt\":\"2026-03-01\","
                + "\"_fields\":\"id,assigned_to,date,is_complete\",\"_order_by\":\"date_created\",\"_skip\":0,\"_limit\":100}",
                p.toString());
        assertEquals("2", list.headers().get("x-tz-offset"), "Berlin is UTC+2 at the run time");
        assertEquals("GET", list.headers().get("x-http-method-override"));
        await().atMost(10, TimeUnit.SECONDS).until(() -> f.emulator.store().get("noti_OldCall").get("is_complete").asBoolean());
        assertTrue(f.emulator.store().get("noti_Old").get("is_complete").asBoolean());
        for (String untouched : List.of("noti_Recent", "noti_Voicemail", "task_Lead")) {
            assertFalse(f.emulator.store().get(untouched).get("is_complete").asBoolean(), untouched);
        }
        // the shipped sweeps are defined but off
        assertEquals(ServiceStatus.Stopped, context.getRouteController().getRouteStatus("sweep-stale-followups"));
        assertEquals(ServiceStatus.Stopped, context.getRouteController().getRouteStatus("sweep-reassign-open-tasks"));
    }
}
