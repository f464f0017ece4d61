package closetaskbulk;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.AfterAll;

import closetaskbulk.run.RunState;

/**
 * The bundle as a service (not --once), on the shipped YAML routes, with Camel's Main test support and an
 * emulator. One test per class: the Camel context lives as long as the test instance.
 */
abstract class ServiceTestSupport extends CamelMainTestSupport {

    // Static, built on first use: CamelTestSupport configures the context from its constructor and from
    // another instance than the one running the test. Hence one test per class.
    protected static Fixture f;
    protected static RunState runState;
    private static Settings settings;

    /** Hook: adjust the fixture before the context is built (settings, sweeps). */
    protected void prepare(Fixture fixture) {
    }

    /** Hook: adjust the beans before they are bound. */
    protected void beans(Map<String, Object> beans) {
    }

    private Settings settings() {
        if (settings == null) {
            f = new Fixture();
            runState = new RunState();
            f.set("bulk.once", "false").set("bulk.run-sweep", "").set("bulk.read-lock-check-interval", "500");
            prepare(f);
            settings = Settings.load(Path.of("config/application.properties"), Map.of(), new Properties(), f.settings);
            settings.validate(false);
        }
        return settings;
    }

    @AfterAll
    static void closeEmulator() {
        f.close();
        f = null;
        settings = null;
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        configuration.withRoutesIncludePattern(settings().get("camel.main.routes-include-pattern"));
    }

    @Override
    protected String getPropertyPlaceholderLocations() {
        return "file:config/application.properties";
    }

    @Override
    public void configureContext(CamelContextConfiguration c) {
        super.configureContext(c);
        c.withUseOverridePropertiesWithPropertiesComponent(settings().asProperties());
    }

    private static Map<String, Object> bound;

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        Map<String, Object> beans = Bundle.beans(settings(), runState);
        beans(beans);
        beans.forEach(registry::bind);
        bound = beans;
    }

    @Override
    protected void doPostSetup() throws Exception {
        runState.setContext(context);
        Bundle.attach(context, bound);
    }
}
