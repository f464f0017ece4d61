package closetaskbulk.intake;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;

import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The one rule of a plan's age, for the intake and the console alike: the planned_at its dry run wrote, plus
 * bulk.plan.max-age. A file's time plays no part (copying or touching a plan changes it).
 */
public final class PlanAge {

    private final Duration max;
    private final String asWritten;

    public PlanAge(Duration max, String asWritten) {
        this.max = max;
        this.asWritten = asWritten;
    }

    /** The planned_at of a plan's first row (its header and first record), or a refusal saying why not. */
    static Instant plannedAt(List<String> header, List<String> first) {
        int at = header.indexOf("planned_at");
        String cell = at >= 0 && at < first.size() ? first.get(at).trim() : "";
        try {
            return Instant.parse(cell);
        } catch (DateTimeParseException e) {
            throw new FileRejectedException("the plan's planned_at '" + cell + "' is not the time of a dry run: "
                    + "make a new plan with a dry run");
        }
    }

    /** The planned_at of a plan file (read up to its first row), or null when it has none. */
    public static Instant plannedAt(Path plan) throws IOException {
        try (Reader r = Files.newBufferedReader(plan, StandardCharsets.UTF_8);
             CSVParser p = CsvFile.format(',').parse(r)) {
            Iterator<CSVRecord> it = p.iterator();
            if (!it.hasNext()) {
                return null;
            }
            List<String> header = it.next().toList().stream().map(h -> CsvFile.stripBom(h).trim()).toList();
            return it.hasNext() ? plannedAt(header, it.next().toList()) : null;
        } catch (FileRejectedException | IllegalStateException | java.io.UncheckedIOException e) {
            return null;
        }
    }

    /** True when a plan made at {@code plannedAt} (null: unknown) may no longer be applied. */
    public boolean expired(Instant plannedAt) {
        return plannedAt == null || Duration.between(plannedAt, Instant.now()).compareTo(max) > 0;
    }

    /** Refuses a plan made longer ago than bulk.plan.max-age. */
    void check(Instant plannedAt) {
        if (expired(plannedAt)) {
            Duration age = Duration.between(plannedAt, Instant.now());
            throw new FileRejectedException("the plan was made at " + plannedAt + " (" + age.toMinutes() / 60 + " h "
                    + age.toMinutes() % 60 + " min ago), longer ago than bulk.plan.max-age=" + asWritten
                    + ": Close may have changed since; make a new plan with a dry run");
        }
    }
}
