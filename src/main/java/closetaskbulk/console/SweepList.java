package closetaskbulk.console;

import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.quartz.CronExpression;

import closetaskbulk.sweep.SweepSchedule;

/** The sweeps as the console shows them: their routes as made from the template, next and last run. */
public class SweepList {

    private final SweepSchedule schedule;

    public SweepList(SweepSchedule schedule) {
        this.schedule = schedule;
    }

    List<Map<String, Object>> list(CamelContext ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Route r : ctx.getRoutes()) {
            if (!r.getRouteId().startsWith(SweepSchedule.ROUTE_PREFIX)) {
                continue;
            }
            String id = r.getRouteId().substring(SweepSchedule.ROUTE_PREFIX.length());
            Map<String, String> s = SweepSchedule.definition(ctx, id);
            boolean on = ctx.getRouteController().getRouteStatus(r.getRouteId()).isStarted();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("enabled", on);
            m.put("cron", s.get("cron"));
            m.put("time_zone", s.get("timeZone"));
            m.put("filter", s.get("filter"));
            Map<String, String> update = new LinkedHashMap<>();
            for (String[] k : new String[][] {{"assignedTo", "assigned_to"}, {"date", "date"}, {"isComplete", "is_complete"}}) {
                if (s.get(k[0]) != null) {
                    update.put(k[1], s.get(k[0]));
                }
            }
            m.put("update", update);
            m.put("dry_run", Boolean.parseBoolean(s.get("dryRun")));
            m.put("next_run", on ? next(s.get("cron"), s.get("timeZone")) : null);
            m.put("last_run", schedule.lastRun(id));
            out.add(m);
        }
        out.sort(java.util.Comparator.comparing(m -> String.valueOf(m.get("id"))));
        return out;
    }

    private static String next(String cron, String zone) {
        try {
            CronExpression e = new CronExpression(cron);
            e.setTimeZone(TimeZone.getTimeZone(zone));
            Date d = e.getNextValidTimeAfter(new Date());
            return d == null ? null : d.toInstant().toString();
        } catch (Exception e) {
            return null;
        }
    }

    boolean exists(CamelContext ctx, String id) {
        return ctx.getRoute(SweepSchedule.ROUTE_PREFIX + id) != null;
    }

    boolean enabled(CamelContext ctx, String id) {
        return exists(ctx, id) && ctx.getRouteController().getRouteStatus(SweepSchedule.ROUTE_PREFIX + id).isStarted();
    }
}
