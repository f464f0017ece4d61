package closetaskbulk.run;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

import org.apache.camel.Body;
import org.apache.camel.spi.IdempotentRepository;

/**
 * The plans this bundle's dry runs wrote, by the SHA-256 of their content, in a Camel idempotent repository
 * (bulk.state/plans.txt, or the database with the cluster profile). Only a plan found here is applied: one
 * edited after its dry run, or made elsewhere, has another SHA-256.
 */
public final class PlanSeals {

    /** Why a plan is refused, and what to do instead: one line, for the summary, the log and the console. */
    public static final String NOT_SEALED = "not a plan a dry run of this bundle wrote, or changed since "
            + "(SHA-256 %s…): a plan is applied only as written; to change it, edit the CSV and make a new preview";

    private final IdempotentRepository register;

    public PlanSeals(IdempotentRepository register) {
        this.register = register;
    }

    /** Step seal-plan: the plan a dry run has just written in full (its summary's plan_sha256) is kept. */
    public void seal(@Body Map<String, Object> summary) {
        if (summary.get("plan_sha256") instanceof String sha) {
            register.add(sha);
        }
    }

    public boolean sealed(String sha) {
        return register.contains(sha);
    }

    /** The SHA-256 of a plan's bytes, in hex. */
    public static String sha256(byte[] content) {
        return HexFormat.of().formatHex(digest().digest(content));
    }

    /** The SHA-256 of a file's bytes, in hex. */
    public static String sha256(Path file) throws IOException {
        MessageDigest md = digest();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The refusal of a plan with this SHA-256. */
    public static String refusal(String sha) {
        return String.format(NOT_SEALED, sha.substring(0, 12));
    }
}
