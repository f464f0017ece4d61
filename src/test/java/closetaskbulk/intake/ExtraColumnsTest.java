package closetaskbulk.intake;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Which other columns are carried, and which look like a misspelt known one. */
class ExtraColumnsTest {

    @Test
    void closesOwnFieldNamesAndContextColumnsAreCarried() {
        for (String c : List.of("lead_id", "lead_name", "contact_id", "contact_name", "date_created", "date_updated",
                "assigned_to_name", "created_by", "text", "notes", "status", "_type", "view", "user_id", "link", "data")) {
            assertNull(ExtraColumns.resembles(c, CsvFile.KNOWN), c);
        }
    }

    @Test
    void nearMissesNameTheColumnTheyResemble() {
        assertEquals("assigned_to", ExtraColumns.resembles("asigned_to", CsvFile.KNOWN));
        assertEquals("assigned_to", ExtraColumns.resembles("assinged_to", CsvFile.KNOWN));
        assertEquals("assigned_to", ExtraColumns.resembles("Assigned To", CsvFile.KNOWN));
        assertEquals("is_complete", ExtraColumns.resembles("is_completed", CsvFile.KNOWN));
        assertEquals("is_complete", ExtraColumns.resembles("IsComplete", CsvFile.KNOWN));
        assertEquals("task_id", ExtraColumns.resembles("taskid", CsvFile.KNOWN));
        assertEquals("date", ExtraColumns.resembles("due_date", CsvFile.KNOWN));
        assertEquals("date", ExtraColumns.resembles("Due Date", CsvFile.KNOWN));
        assertEquals("date_after", ExtraColumns.resembles("date_afer", CsvFile.PLAN_KNOWN));
        assertEquals("planned_at", ExtraColumns.resembles("planned-at", CsvFile.PLAN_KNOWN));
        assertNull(ExtraColumns.resembles("lead_name", CsvFile.PLAN_KNOWN));
    }
}
