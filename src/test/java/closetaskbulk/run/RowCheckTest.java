package closetaskbulk.run;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Step check-row: a good row is OK with its update; a bad one is INVALID or DUPLICATE (header rowStatus), and
 * route run's record-refused records it with a message a person can act on.
 */
class RowCheckTest {

    @TempDir
    Path reports;

    private Run run() {
        return new Run("t", reports, "test", false, Map.of(), List.of("assigned_to", "date", "is_complete"));
    }

    private static Row row(int line, String id, Map<String, String> values) {
        return new Row(line, id, values, List.of(), null);
    }

    /** As route run does: check-row, then row-way (a refused row recorded, and null here). */
    private static Row checked(RowCheck check, Row row, Run run) {
        Map<String, Object> headers = new HashMap<>();
        Row out = check.check(row, run, headers);
        String status = (String) headers.get(RowCheck.STATUS);
        if (RowCheck.OK.equals(status)) {
            assertNull(headers.get(RowCheck.PROBLEM));
            return out;
        }
        check.refused(out, status, headers.get(RowCheck.PROBLEM), run);
        assertEquals(status, run.results().status(row.line()).name(), "the row's result is its way");
        return null;
    }

    @Test
    void aGoodRowComesBackWithItsUpdate() {
        Row checked = checked(new RowCheck(), row(2, "task_a1", Map.of("is_complete", "Yes", "date", "2026-03-01")), run());
        assertEquals(new Update(null, "2026-03-01", true), checked.update());
    }

    @Test
    void aBadRowIsInvalidWithItsReasons() {
        Run run = run();
        RowCheck check = new RowCheck();
        assertNull(checked(check, row(2, "TASK 1", Map.of("is_complete", "true")), run));
        assertNull(checked(check, row(3, "task_b", Map.of("date", "2026-02-30", "is_complete", "maybe")), run));
        assertNull(checked(check, row(4, "task_c", Map.of()), run));
        assertEquals(Status.INVALID, run.results().status(2));
        assertTrue(run.results().message(2).contains("more than one token"), run.results().message(2));
        assertTrue(run.results().message(3).contains("not a real calendar date") && run.results().message(3).contains("must be true or false"),
                run.results().message(3));
        assertTrue(run.results().message(4).startsWith("nothing to change"), run.results().message(4));
    }

    @Test
    void aSecondRowOfTheSameIdIsADuplicateNamingTheFirst() {
        Run run = run();
        RowCheck check = new RowCheck();
        checked(check, row(2, "task_a", Map.of("is_complete", "true")), run);
        assertNull(checked(check, row(7, "task_a", Map.of("is_complete", "false")), run));
        assertEquals(Status.DUPLICATE, run.results().status(7));
        assertTrue(run.results().message(7).contains("2"), run.results().message(7));
    }

    @Test
    void aLocalDateIsTakenOnlyWithBulkDateFormat() {
        Run run = run();
        assertNull(checked(new RowCheck(), row(2, "task_a", Map.of("date", "03/01/2026")), run));
        assertTrue(run.results().message(2).contains("bulk.date-format=MM/dd/yyyy"), run.results().message(2));
        Row us = checked(new RowCheck("MM/dd/yyyy"), row(3, "task_b", Map.of("date", "03/01/2026")), run);
        assertEquals("2026-03-01", us.update().date());
    }

    @Test
    void anEmailIsCheckedAgainstTheListedUsers() {
        Run run = run();
        RowCheck check = new RowCheck();
        Row byEmail = row(2, "task_a", Map.of("assigned_to", "Bob@Example.com"));
        assertThrows(IllegalStateException.class, () -> checked(check, byEmail, run), "route run lists the users first");
        run.users().listed(Map.of("bob@example.com", List.of("user_bob")), null);
        assertEquals("user_bob", checked(check, byEmail, run).update().assignedTo());
        assertNull(checked(check, row(3, "task_b", Map.of("assigned_to", "eve@example.com")), run));
        assertTrue(run.results().message(3).contains("not the e-mail of a user"), run.results().message(3));
    }
}
