package closetaskbulk;

import org.apache.camel.Ordered;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.PropertiesSource;
import org.apache.camel.util.IOHelper;

/**
 * The order in which a setting is looked for: the command line (Camel's override properties), then -D system
 * properties, then environment variables (CLOSE_BASE_URL for close.base-url), then the profile's file, then
 * config/application.properties. Camel's own default puts the environment and -D above everything, the
 * command line included: `--demo` would then send an exported CLOSE_API_KEY to the emulator and an exported
 * CLOSE_BASE_URL would take the demo to the real Close. So both are one properties source, ranked above the
 * files and below the overrides.
 */
final class OverridesInOrder implements PropertiesSource, Ordered {

    static void install(PropertiesComponent pc) {
        if (pc instanceof org.apache.camel.component.properties.PropertiesComponent camel) {
            camel.setSystemPropertiesMode(
                    org.apache.camel.component.properties.PropertiesComponent.SYSTEM_PROPERTIES_MODE_NEVER);
            camel.setEnvironmentVariableMode(
                    org.apache.camel.component.properties.PropertiesComponent.ENVIRONMENT_VARIABLES_MODE_NEVER);
        }
        if (pc.getPropertiesSources().stream().noneMatch(OverridesInOrder.class::isInstance)) {
            pc.addPropertiesSource(new OverridesInOrder());
        }
    }

    @Override
    public String getName() {
        return "system-and-environment";
    }

    @Override
    public String getProperty(String name) {
        String v = System.getProperty(name);
        return v != null ? v : IOHelper.lookupEnvironmentVariable(name);
    }

    @Override
    public int getOrder() {
        return 50; // property files are 100 and up
    }
}
