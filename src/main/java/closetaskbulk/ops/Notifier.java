package closetaskbulk.ops;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says when a run ends (bulk.notify.url, bulk.notify.on): a JSON body that Slack, Mattermost and Teams incoming
 * webhooks accept ({@code text}: the run, its counts, its duration, the console link; beside it the summary),
 * queued to route notify (routes/notify.camel.yaml), which posts it. The URL is a secret: it is set on the
 * message as the HTTP address only at the call (step notify-address), never in a route, an endpoint URI or a
 * log line. A notification that cannot be sent is one WARN line and changes nothing else.
 */
public class Notifier {

    /** Exchange property: the run a queued notification is about (for the WARN line of one that fails). */
    public static final String RUN = "closeTaskRun";
    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String url;
    private final boolean always;
    private final String consoleBase;
    private volatile CamelContext context;
    private volatile ProducerTemplate template;

    /**
     * @param url         the webhook, or empty (off)
     * @param always      notify every run; else only runs whose exit code is not 0
     * @param consoleBase the console's address, for the link to the run's page
     */
    public Notifier(String url, boolean always, String consoleBase) {
        this.url = url == null ? "" : url.trim();
        this.always = always;
        this.consoleBase = consoleBase;
    }

    public void setCamelContext(CamelContext context) {
        this.context = context;
    }

    /** A run's summary was written: queue its notification if one is due. Never throws. */
    public void ended(Map<String, Object> summary) {
        if (url.isEmpty() || context == null) {
            return;
        }
        int code = exitCode(summary);
        if (code == 0 && !always) {
            return;
        }
        try {
            if (template == null) {
                template = context.createProducerTemplate();
            }
            template.sendBodyAndProperty("seda:notify", message(summary, code), RUN, summary.get("name"));
        } catch (RuntimeException e) {
            LOG.warn("{}: the notification of its end was not sent ({})", summary.get("name"), e.getClass().getSimpleName());
        }
    }

    /** The exit code --once would give for this run alone: 0 all rows fine, 1 rows not, 2 halted, 3 internal. */
    static int exitCode(Map<String, Object> summary) {
        String outcome = String.valueOf(summary.get("outcome"));
        String reason = String.valueOf(summary.get("reason"));
        if (outcome.equals("halted")) {
            return reason.startsWith("internal error") ? 3 : 2;
        }
        if (!outcome.equals("finished")) {
            return 1;
        }
        if (summary.get("counts") instanceof Map<?, ?> counts) {
            for (Map.Entry<?, ?> e : counts.entrySet()) {
                String status = String.valueOf(e.getKey());
                boolean fine = status.equals("UPDATED") || status.equals("UNCHANGED") || status.equals("DRY_RUN");
                if (!fine && e.getValue() instanceof Number n && n.intValue() > 0) {
                    return 1;
                }
            }
        }
        return 0;
    }

    /** The webhook body: {@code text} for people, {@code summary} for machines. */
    String message(Map<String, Object> summary, int code) {
        String name = String.valueOf(summary.get("name"));
        StringBuilder counts = new StringBuilder();
        if (summary.get("counts") instanceof Map<?, ?> c) {
            c.forEach((status, n) -> {
                if (n instanceof Number k && k.intValue() > 0) {
                    counts.append(counts.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,d", k.intValue()))
                            .append(' ').append(status);
                }
            });
        }
        long ms = summary.get("duration_ms") instanceof Number n ? n.longValue() : 0;
        StringBuilder text = new StringBuilder("close-task-bulk: ").append(summary.get("kind")).append(' ')
                .append(name).append(' ').append(summary.get("outcome")).append(" (exit ").append(code).append(")");
        if (counts.length() > 0) {
            text.append(": ").append(counts);
        }
        if (summary.get("reason") != null) {
            text.append(" — ").append(summary.get("reason"));
        }
        text.append(" in ").append(String.format(Locale.ROOT, "%.1f", ms / 1000.0)).append(" s. ")
                .append(consoleBase).append("/#/run/").append(java.net.URLEncoder.encode(name,
                        java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("text", text.toString());
        body.put("summary", summary);
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Step notify-address: the webhook as this call's address (camel-http's CamelHttpUri), set at the call only. */
    public void address(Exchange ex) {
        ex.getIn().setHeader(Exchange.HTTP_URI, url);
    }

    /** Step notify-failed: the tries are spent. One line, without the URL (Camel's exceptions carry it). */
    public void failed(Exchange ex) {
        Throwable e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String why = e instanceof org.apache.camel.http.base.HttpOperationFailedException h
                ? "the webhook answered " + h.getStatusCode()
                : e instanceof java.net.SocketTimeoutException || e instanceof java.net.http.HttpTimeoutException
                        ? "no answer in time" : e instanceof java.io.IOException ? "no connection to the webhook"
                        : e == null ? "unknown" : e.getClass().getSimpleName();
        ex.getIn().removeHeader(Exchange.HTTP_URI);
        LOG.warn("{}: the notification of its end was not sent, retries spent: {} (bulk.notify.url; the run's "
                + "outcome is unchanged)", ex.getProperty(RUN), why);
    }
}
