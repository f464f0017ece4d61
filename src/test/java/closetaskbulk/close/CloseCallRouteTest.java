package closetaskbulk.close;

import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Route close-call (routes/close-call.camel.yaml) as shipped, Close woven out (step close-http): what one
 * call sends, and what each answer becomes.
 */
class CloseCallRouteTest extends CamelMainTestSupport {

    private final Pacer pacer = new Pacer(60_000, 0);
    private volatile String halted;

    @Override
    public void configureTest(TestExecutionConfiguration test) {
        super.configureTest(test);
        test.withUseAdviceWith(true);
    }

    @Override
    protected void configure(MainConfigurationProperties main) {
        main.withRoutesIncludePattern("file:routes/close-call.camel.yaml");
    }

    @Override
    public void configureContext(CamelContextConfiguration camel) {
        super.configureContext(camel);
        Properties p = new Properties();
        p.put("close.base-url", "http://127.0.0.1:9/api/v1"); // never called: close-http is woven out
        camel.withUseOverridePropertiesWithPropertiesComponent(p);
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("closeCall", new CloseCall("api_test", "http://127.0.0.1:9/api/v1", "1.0", pacer, () -> halted));
    }

    /** Close, answering every call with {@code status} and {@code body}. */
    private MockEndpoint closeAnswers(int status, String body) throws Exception {
        AdviceWith.adviceWith(context, "close-call", a -> a.weaveById("close-http").replace().to("mock:close"));
        context.start();
        MockEndpoint close = getMockEndpoint("mock:close");
        close.whenAnyExchangeReceived(e -> {
            e.getIn().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
            e.getIn().setHeader("RateLimit", "limit=20, remaining=19, reset=0.05");
            e.getIn().setBody(body);
        });
        return close;
    }

    @Test
    void aReadGoesOutWithItsHeadersAndItsAnswerComesBackToTheWork() throws Exception {
        MockEndpoint close = closeAnswers(200, "{\"data\": [{\"id\": \"task_a\"}]}");
        close.expectedMessageCount(1);
        close.expectedHeaderReceived(Exchange.HTTP_METHOD, "POST");
        close.expectedHeaderReceived("x-http-method-override", "GET");
        close.expectedHeaderReceived(Exchange.HTTP_PATH, "/task/");
        close.expectedHeaderReceived(Exchange.CONTENT_TYPE, "application/json");
        close.expectedHeaderReceived("Accept", "application/json");
        close.expectedHeaderReceived("User-Agent", "close-task-bulk/1.0 (Apache Camel)");
        // the key by reference: the HTTP client puts it in (CloseCallTraceTest)
        close.expectedHeaderReceived("Authorization", CloseCall.BUNDLE_KEY);
        Read read = new Read();
        assertSame(read, template.requestBody("direct:close-call", read));
        close.assertIsSatisfied();
        assertNull(close.getExchanges().get(0).getIn().getHeader("x-tz-offset"), "a file's run has no time zone");
        assertNull(close.getExchanges().get(0).getIn().getHeader(Exchange.HTTP_QUERY));
        assertEquals("task_a", read.answer.path("data").path(0).path("id").asText());
    }

    @Test
    void a401HaltsAndTheKeyStaysBehind() throws Exception {
        closeAnswers(401, "{\"error\": \"Unauthorized\"}");
        Exchange done = template.send("direct:close-call", e -> e.getIn().setBody(new Read()));
        assertInstanceOf(CloseHalt.class, done.getException());
        assertNull(done.getMessage().getHeader("Authorization"));
    }

    @Test
    void afterAHaltNothingIsSent() throws Exception {
        MockEndpoint close = closeAnswers(200, "{\"data\": []}");
        close.expectedMessageCount(0);
        halted = "Close answered 401";
        Exchange done = template.send("direct:close-call", e -> e.getIn().setBody(new Read()));
        assertInstanceOf(CloseHalt.class, done.getException());
        close.assertIsSatisfied();
    }

    @Test
    void a429TellsThePacerHowLongToWait() throws Exception {
        closeAnswers(429, "");
        Exchange done = template.send("direct:close-call", e -> e.getIn().setBody(new Read()));
        assertInstanceOf(CloseRateLimited.class, done.getException());
        assertEquals(1, pacer.snapshot().get("read").get("rate_limited"));
    }

    @Test
    void a2xxThatIsNotClosesJsonIsAServerError() throws Exception {
        closeAnswers(200, "<html>proxy</html>");
        Exchange done = template.send("direct:close-call", e -> e.getIn().setBody(new Read()));
        assertInstanceOf(CloseServerError.class, done.getException());
    }

    /** A read, as a batch's: POST with x-http-method-override: GET. */
    static class Read implements CloseWork {
        JsonNode answer;
        String failure;

        @Override
        public String group() {
            return "read";
        }

        @Override
        public String method() {
            return "POST";
        }

        @Override
        public String request() {
            return "{\"_params\": {\"id__in\": \"task_a\"}}";
        }

        @Override
        public void answer(JsonNode body) {
            answer = body;
        }

        @Override
        public void fail(int status, String message) {
            failure = message;
        }

        @Override
        public boolean isFailed() {
            return failure != null;
        }
    }
}
