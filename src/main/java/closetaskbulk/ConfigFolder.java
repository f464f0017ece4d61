package closetaskbulk;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Where the configuration is read from: a folder holding {@code config/application.properties} (and usually
 * {@code routes/} and {@code kamelets/}). Chosen by {@code --config DIR}, else {@code CLOSE_TASK_BULK_CONFIG}, else
 * the installation the launcher names ({@code -Dclose-task-bulk.home}), else the working folder (a clone's root).
 * Data (the bulk.* folders) stays relative to the working folder: only the configuration moves.
 */
final class ConfigFolder {

    /** Set by bin/close-task-bulk: the unpacked distribution. */
    static final String HOME_PROPERTY = "close-task-bulk.home";
    static final String ENV = "CLOSE_TASK_BULK_CONFIG";
    /** Settings whose relative paths, written in the configuration's own files, are relative to its folder. */
    static final List<String> PATH_KEYS = List.of("camel.main.routes-include-pattern", "camel.component.kamelet.location",
            "bulk.routes-reload-directory");

    final Path dir;
    /** The installation: a path the configuration folder lacks (routes/, kamelets/) is read from here. */
    final Path home;
    private final String chosenBy;

    private ConfigFolder(Path dir, Path home, String chosenBy) {
        this.dir = dir;
        this.home = home;
        this.chosenBy = chosenBy;
    }

    /** {@code option}: the value of --config, or null. */
    static ConfigFolder choose(String option, String env, String homeProperty) {
        Path cwd = Path.of("").toAbsolutePath();
        Path home = homeProperty == null || homeProperty.isBlank() ? cwd : Path.of(homeProperty).toAbsolutePath().normalize();
        if (option != null) {
            return new ConfigFolder(Path.of(option).toAbsolutePath().normalize(), home, "--config");
        }
        if (env != null && !env.isBlank()) {
            return new ConfigFolder(Path.of(env).toAbsolutePath().normalize(), home, ENV);
        }
        return new ConfigFolder(home, home, home.equals(cwd) ? "the working folder" : "the installation");
    }

    /** The same choice main() makes from the command line and the environment, before the logging starts. */
    static ConfigFolder of(String[] args) {
        String option = null;
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--config")) {
                option = args[i + 1];
            }
        }
        return choose(option, System.getenv(ENV), System.getProperty(HOME_PROPERTY));
    }

    Path settingsFile() {
        return dir.resolve("config").resolve("application.properties");
    }

    /** A misplaced run: one line that says where it looked and how to point it elsewhere. */
    void check() {
        if (!Files.isRegularFile(settingsFile())) {
            throw new Settings.Invalid("no configuration: " + settingsFile() + " does not exist (looked in " + chosenBy
                    + "); run from a folder that has config/, or name one with --config DIR or " + ENV + "=DIR");
        }
    }

    /**
     * The configuration's relative paths (routes, Kamelets, the reload folder) made absolute when it is read from
     * another folder than the working one: each against this folder when it has that path, else against the
     * installation. Values given with -D, in the environment or already in {@code cli} are left as they are.
     */
    Map<String, String> pathOverrides(Map<String, String> cli) {
        Map<String, String> out = new LinkedHashMap<>();
        if (dir.equals(Path.of("").toAbsolutePath())) {
            return out;
        }
        Properties file = new Properties();
        try (Reader r = Files.newBufferedReader(settingsFile())) {
            file.load(r);
        } catch (IOException e) {
            throw new Settings.Invalid("cannot read " + settingsFile() + ": " + e.getMessage());
        }
        for (String key : PATH_KEYS) {
            String value = file.getProperty(key);
            if (value == null || value.contains("{{") || cli.containsKey(key) || System.getProperty(key) != null
                    || System.getenv(key.toUpperCase(java.util.Locale.ROOT).replaceAll("[.-]", "_")) != null) {
                continue;
            }
            out.put(key, key.startsWith("bulk.") ? resolve(value.trim()) : resolveList(value));
        }
        return out;
    }

    private String resolveList(String value) {
        List<String> parts = new ArrayList<>();
        for (String part : value.split(",")) {
            String p = part.trim();
            parts.add(p.startsWith("file:") ? "file:" + resolve(p.substring(5)) : p);
        }
        return String.join(",", parts);
    }

    private String resolve(String path) {
        if (path.isEmpty() || Path.of(path.replace("*", "x")).isAbsolute()) {
            return path;
        }
        int wild = path.indexOf('*');
        String fixed = wild < 0 ? path : path.substring(0, Math.max(0, path.lastIndexOf('/', wild)));
        Path root = Files.exists(dir.resolve(fixed)) || !Files.exists(home.resolve(fixed)) ? dir : home;
        return root.toString().replace('\\', '/') + "/" + path;
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
