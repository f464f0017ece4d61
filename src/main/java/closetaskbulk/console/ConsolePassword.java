package closetaskbulk.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * console.password, HTTP basic with any user name, compared in constant time. Failed tries are counted per
 * client address: after {@link #FREE_TRIES} the address waits, 2 s and doubling with each further failure (at
 * most 5 minutes), and is answered 429 with Retry-After, right password or not, until the wait is over.
 */
public final class ConsolePassword {

    static final int FREE_TRIES = 10;
    static final long MAX_WAIT_MS = 300_000;
    private static final int MAX_CLIENTS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(ConsolePassword.class);

    private final byte[] password;
    private final LongSupplier clock;
    /** client address -> {failures, blocked until (ms)}; the oldest entries go first when it is full. */
    private final Map<String, long[]> failures = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
            return size() > MAX_CLIENTS;
        }
    };

    public ConsolePassword(String password) {
        this(password, System::currentTimeMillis);
    }

    ConsolePassword(String password, LongSupplier clock) {
        this.password = password.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
    }

    /** The user name given with the right password; otherwise 401, or 429 while the client must wait. */
    public String user(String authorization, String client) {
        synchronized (failures) {
            if (retryAfterSeconds(client) > 0) {
                throw new ConsoleRefused(429, "too many wrong passwords from this address: try again later");
            }
        }
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon >= 0 && MessageDigest.isEqual(decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8), password)) {
                    synchronized (failures) {
                        failures.remove(client);
                    }
                    String user = decoded.substring(0, colon).trim();
                    user = user.isEmpty() ? "console" : user.replaceAll("[^\\p{L}\\p{N}._@ -]", "_");
                    return user.length() > 64 ? user.substring(0, 64) : user;
                }
            } catch (IllegalArgumentException e) {
                // not base64: a wrong password
            }
            failed(client);
        }
        throw new ConsoleRefused(401, "the console needs its password (console.password)");
    }

    private void failed(String client) {
        synchronized (failures) {
            long[] f = failures.computeIfAbsent(client, c -> new long[2]);
            f[0]++;
            if (f[0] >= FREE_TRIES) {
                long wait = Math.min(MAX_WAIT_MS, 2000L << Math.min(20, f[0] - FREE_TRIES));
                f[1] = clock.getAsLong() + wait;
                LOG.warn("console: {} wrong passwords from {}; it waits {} s", f[0], client, wait / 1000);
            } else {
                LOG.warn("console: a request with a wrong password from {} was refused", client);
            }
        }
    }

    /** Seconds the client must still wait (0: it may try). */
    long retryAfterSeconds(String client) {
        synchronized (failures) {
            long[] f = failures.get(client);
            long left = f == null ? 0 : f[1] - clock.getAsLong();
            return left <= 0 ? 0 : (left + 999) / 1000;
        }
    }
}
