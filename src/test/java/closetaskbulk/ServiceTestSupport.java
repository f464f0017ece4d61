package closetaskbulk;

import java.util.Properties;

import org.apache.camel.CamelContext;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.AfterAll;

import closetaskbulk.run.RunState;

/**
 * The bundle as a service (not --once), on the shipped YAML routes and config, with Camel's Main test support
 * and an emulator: Camel Main reads config/application.properties with the fixture's settings as overrides,
 * and configures the bundle's beans through closetaskbulk.Bundle, as the jar does. One test per class: the
 * Camel context lives as long as the test instance.
 */
abstract class ServiceTestSupport extends CamelMainTestSupport {

    // Static, built on first use: CamelTestSupport configures the context from its constructor and from
    // another instance than the one running the test. Hence one test per class.
    protected static Fixture f;
    protected static RunState runState;
    private static ServiceTestSupport current;

    /** Hook: adjust the fixture before the context is built (settings, sweeps). */
    protected void prepare(Fixture fixture) {
    }

    /** Hook: adjust the bundle's beans once Camel has bound them, before any route starts (look them up by name). */
    protected void beans(Registry registry) {
    }

    /** Hook: the configuration class; a subclass of TestBundle replaces a bean by overriding its method. */
    protected Class<? extends TestBundle> bundle() {
        return TestBundle.class;
    }

    /** Bundle, with the test's hook on its beans. */
    public static class TestBundle extends Bundle {
        @Override
        public void configure(CamelContext context) throws Exception {
            super.configure(context);
            current.beans(context.getRegistry());
        }
    }

    private Fixture fixture() {
        if (f == null) {
            f = new Fixture();
            f.set("bulk.once", "false").set("bulk.run-sweep", "").set("bulk.read-lock-check-interval", "500");
            prepare(f);
            f.set("camel.main.configuration-classes", bundle().getName());
        }
        current = this;
        return f;
    }

    @AfterAll
    static void closeEmulator() {
        f.close();
        f = null;
        runState = null;
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        fixture();
    }

    @Override
    protected String getPropertyPlaceholderLocations() {
        return "file:config/application.properties";
    }

    @Override
    public void configureContext(CamelContextConfiguration c) {
        super.configureContext(c);
        Properties p = new Properties();
        p.putAll(fixture().settings);
        c.withUseOverridePropertiesWithPropertiesComponent(p);
    }

    @Override
    protected void doPostSetup() throws Exception {
        runState = context.getRegistry().lookupByNameAndType("runState", RunState.class);
    }
}
