package closetaskbulk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * --help's list of settings, read from the commented config/application.properties (the one place they are
 * written down): each key with its default, under the comment that explains it, grouped by the file's sections.
 */
final class SettingsHelp {

    private SettingsHelp() {
    }

    static String of(Path file) throws IOException {
        StringBuilder out = new StringBuilder("Settings (").append(file)
                .append("; -Dkey=value or the environment, close.base-url <- CLOSE_BASE_URL, override any):\n");
        List<String> comment = new ArrayList<>();
        boolean commentUsed = false;
        for (String raw : Files.readAllLines(file)) {
            String line = raw.strip();
            if (line.isEmpty()) {
                comment.clear();
            } else if (line.startsWith("##")) {
                comment.clear();
                out.append('\n').append(line.replaceFirst("^#+\\s*", "")).append('\n');
            } else if (line.startsWith("#")) {
                if (commentUsed) {
                    comment.clear();
                    commentUsed = false;
                }
                comment.add(line.replaceFirst("^#\\s?", ""));
            } else {
                int eq = line.indexOf('=');
                String key = eq < 0 ? line : line.substring(0, eq).strip();
                String value = eq < 0 ? "" : line.substring(eq + 1).strip();
                out.append("  ").append(key).append(" = ").append(value.isEmpty() ? "(empty)" : value).append('\n');
                if (!commentUsed) {
                    comment.forEach(c -> out.append("      ").append(c).append('\n'));
                }
                commentUsed = true;
            }
        }
        return out.toString();
    }
}
