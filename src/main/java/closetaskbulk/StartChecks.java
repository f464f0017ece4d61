package closetaskbulk;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/** What must hold before the bundle starts: its state folder its own, its ports free. One line each. */
final class StartChecks {

    static final String LOCK = "bulk.lock";

    private StartChecks() {
    }

    /**
     * Takes the state folder for this process: an OS file lock on bulk.state/bulk.lock, which dies with its
     * holder. A second process on the same folder (overlapping cron runs, a second service) is refused.
     */
    static FileChannel lockState(Path state) {
        Path file = state.resolve(LOCK);
        FileChannel ch = null;
        try {
            Files.createDirectories(state);
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this JVM already
            }
            if (lock == null) {
                String holder = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).strip();
                ch.close();
                throw new Settings.Invalid("bulk.state=" + state + " is in use by another process ("
                        + (holder.isEmpty() ? "unknown" : holder) + "): one process per state folder. Wait for it "
                        + "or stop it, or give this one its own bulk.state (the cluster profile shares state in PostgreSQL)");
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + ", since " + Instant.now())
                    .getBytes(StandardCharsets.UTF_8)));
            ch.force(false);
            return ch;
        } catch (IOException e) {
            close(ch);
            throw new Settings.Invalid("bulk.state=" + state + " cannot be locked (" + e.getMessage()
                    + "): point bulk.state at a local, writable folder");
        }
    }

    /** Empties a state folder this process has locked: all but the lock. */
    static void empty(Path state) {
        try (var all = Files.walk(state)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(state) && !p.equals(state.resolve(LOCK))) {
                    Files.delete(p);
                }
            }
        } catch (IOException e) {
            throw new Settings.Invalid("bulk.state=" + state + " cannot be emptied for the demo: " + e.getMessage());
        }
    }

    static void close(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // the lock dies with the process anyway
            }
        }
    }

    /** The port is free on that host, or the start is refused naming the setting. */
    static void portFree(String key, String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (IOException e) {
            throw new Settings.Invalid(key + "=" + port + " on " + host + " is in use (another close-task-bulk, or "
                    + "another program): stop it, or set " + key + " to a free port");
        }
    }
}
