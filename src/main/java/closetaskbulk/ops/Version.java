package closetaskbulk.ops;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The bundle's version, as the build wrote it (User-Agent, the console's footer). */
public final class Version {

    private static final String VERSION = read();

    private Version() {
    }

    public static String get() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = Version.class.getResourceAsStream("/closetaskbulk/version.properties")) {
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException | NullPointerException e) {
            return "dev";
        }
    }
}
