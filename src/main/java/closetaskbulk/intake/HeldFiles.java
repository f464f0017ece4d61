package closetaskbulk.intake;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import closetaskbulk.run.RunState;

/**
 * The files the intake's folders hold that are not taken (the file consumers' filter, bean heldFiles):
 * symbolic links, never followed (read as the service's user, a link would publish a file its dropper cannot
 * read), and files that stay where they are after their run (a dry run's, or one whose run could not finish),
 * each until it changes (size or time) or the process restarts: never retried in a loop.
 */
public class HeldFiles implements GenericFileFilter<File> {

    private static final Logger LOG = LoggerFactory.getLogger(HeldFiles.class);

    /** Why a file is held; {@code trouble}: the run could not finish (health is DOWN while it is held). */
    public record Hold(String key, String why, boolean trouble) {
    }

    private final RunState runState;
    private final Map<Path, Hold> held = new ConcurrentHashMap<>();

    public HeldFiles(RunState runState) {
        this.runState = runState;
    }

    @Override
    public boolean accept(GenericFile<File> file) {
        if (file.isDirectory()) {
            return true;
        }
        Path p = file.getFile().toPath().toAbsolutePath();
        Hold h = held.get(p);
        String key = key(p);
        if (h != null && h.key().equals(key)) {
            return false;
        }
        held.remove(p); // changed, or gone: taken again
        if (Files.isSymbolicLink(p)) {
            held.put(p, new Hold(key, "a symbolic link", false));
            runState.rowsNotOk();
            LOG.error("{}: refused, not read: a symbolic link (links are never followed); it is left where it is. "
                    + "Drop the file itself", p.getFileName());
            return false;
        }
        if (!Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) { // opening a pipe blocks for good
            held.put(p, new Hold(key, "not a regular file", false));
            runState.rowsNotOk();
            LOG.error("{}: refused, not read: not a regular file (a pipe or a device); it is left where it is. "
                    + "Drop the file itself", p.getFileName());
            return false;
        }
        return true;
    }

    /** The file stays where it is, as it is now, and is not taken again until it changes. */
    public void hold(Path file, String why, boolean trouble) {
        Path p = file.toAbsolutePath();
        String key = key(p);
        if (key != null) {
            held.put(p, new Hold(key, why, trouble));
        }
    }

    /** The same, for a file as it was when its run read it ({@code size}, {@code modified}): changed since, it is not held. */
    void hold(Path file, long size, long modified, String why, boolean trouble) {
        held.put(file.toAbsolutePath(), new Hold(size + "@" + modified, why, trouble));
    }

    /** The files held because their run could not finish, with why: the health check's detail. */
    public Map<String, String> troubles() {
        Map<String, String> t = new TreeMap<>();
        held.forEach((p, h) -> {
            if (h.trouble() && h.key().equals(key(p))) {
                t.put(p.toString(), h.why());
            }
        });
        return t;
    }

    /** Size and time of the file itself (a link's own), or null when it is gone. */
    static String key(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.size() + "@" + a.lastModifiedTime().toMillis();
        } catch (IOException e) {
            return null;
        }
    }
}
