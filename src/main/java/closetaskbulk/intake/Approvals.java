package closetaskbulk.intake;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;

/**
 * Who approved a plan, and when: a hidden file beside the plan in bulk.approved ({@code .<plan>.approval}),
 * written before the plan lands there, read when it is applied (into the run's summary), removed when the
 * plan leaves the folder. A plan dropped there by hand has none.
 */
public final class Approvals {

    private Approvals() {
    }

    static Path of(Path plan) {
        return plan.resolveSibling("." + plan.getFileName() + ".approval");
    }

    /** Records the approval of the plan that is about to land at {@code plan}. */
    public static void write(Path plan, String by, String at) throws IOException {
        Properties p = new Properties();
        p.setProperty("by", by);
        p.setProperty("at", at);
        Path tmp = plan.resolveSibling("." + plan.getFileName() + ".approval.tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "approved in the console");
        }
        Files.move(tmp, of(plan), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static Map<String, String> read(Path plan) {
        Path f = of(plan);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            return null;
        }
        return Map.of("by", p.getProperty("by", "?"), "at", p.getProperty("at", "?"));
    }

    static void forget(Path plan) {
        try {
            Files.deleteIfExists(of(plan));
        } catch (IOException e) {
            // a stale approval file names a plan that is gone: harmless
        }
    }
}
