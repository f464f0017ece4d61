package closetaskbulk.ops;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.camel.impl.console.PropertiesDevConsole;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.console.AbstractDevConsole;
import org.apache.camel.util.SensitiveUtils;
import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;

/**
 * What Camel's developer consoles may show and do here. Camel resolves a console by the bean named
 * {@code <id>-dev-console} first, so these take the place of its own: "properties" masks every secret in both
 * forms (Camel masks the text form by key name only, and the JSON form not at all), and the consoles that act
 * (send, receive, debug, reload) answer that they are off. The HTTP guard refuses the other consoles' actions.
 */
public final class DevConsoles {

    /**
     * Consoles that send, receive, debug, reload or evaluate (eval-language runs any Simple expression: a
     * process, a route stopped, a property read), and those that show the JVM's -D arguments and system
     * properties (a -Dconsole.password in clear): off.
     */
    static final List<String> OFF = List.of("send", "receive", "debug", "reload", "eval-language",
            "system-properties", "jvm");
    static final String MASK = "xxxxxx";

    private DevConsoles() {
    }

    /** Binds the masked and the switched-off consoles; secrets are the values never to show. */
    public static void bind(Registry registry, Set<String> secrets) {
        registry.bind("properties-dev-console", new MaskedProperties(secrets));
        for (String id : OFF) {
            registry.bind(id + "-dev-console", new Off(id));
        }
    }

    static boolean secretKey(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return SensitiveUtils.containsSensitive(k) || k.contains("password") || k.contains("secret")
                || k.contains("api-key") || k.contains("apikey") || k.contains("token") || k.endsWith(".key")
                || k.equals("bulk.notify.url"); // a webhook's URL is its secret
    }

    /** The properties console with every secret masked: by key name, and any value holding a secret's value. */
    static final class MaskedProperties extends PropertiesDevConsole {
        private final Set<String> secrets;

        MaskedProperties(Set<String> secrets) {
            this.secrets = secrets.stream().filter(s -> s != null && s.length() >= 4).collect(java.util.stream.Collectors.toSet());
        }

        private boolean shows(Object value) {
            String v = String.valueOf(value);
            return secrets.stream().noneMatch(v::contains);
        }

        @Override
        protected JsonObject doCallJson(Map<String, Object> options) {
            JsonObject root = super.doCallJson(options);
            JsonArray props = (JsonArray) root.get("properties");
            if (props != null) {
                for (Object o : props) {
                    JsonObject p = (JsonObject) o;
                    boolean secret = secretKey(String.valueOf(p.get("key")));
                    for (String field : new String[] {"value", "originalValue", "defaultValue"}) {
                        if (p.get(field) != null && (secret || !shows(p.get(field)))) {
                            p.put(field, MASK);
                        }
                    }
                }
            }
            return root;
        }

        @Override
        protected String doCallText(Map<String, Object> options) {
            JsonObject root = doCallJson(options);
            StringBuilder sb = new StringBuilder("Properties loaded from locations: ")
                    .append(String.join(", ", getCamelContext().getPropertiesComponent().getLocations())).append('\n');
            JsonArray props = (JsonArray) root.get("properties");
            if (props != null) {
                for (Object o : props) {
                    JsonObject p = (JsonObject) o;
                    sb.append("    ").append(p.get("key")).append(" = ").append(p.get("value")).append('\n');
                }
            }
            return sb.toString();
        }
    }

    /** A console that acts, switched off. */
    static final class Off extends AbstractDevConsole {
        Off(String id) {
            super("camel", id, id, "off in close-task-bulk");
        }

        private String why() {
            return "the " + getId() + " console is off in close-task-bulk (it would act on the running bundle)";
        }

        @Override
        protected String doCallText(Map<String, Object> options) {
            return why();
        }

        @Override
        protected JsonObject doCallJson(Map<String, Object> options) {
            JsonObject jo = new JsonObject();
            jo.put("error", why());
            return jo;
        }
    }
}
