package closetaskbulk.it;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import closetaskbulk.Fixture;
import closetaskbulk.emulator.CloseEmulator.Recorded;

/** Reading run journals (file or database) and writes, in the crash tests. */
final class JournalLines {

    private JournalLines() {
    }

    /** The id sets (sorted, comma-joined) of the batches the journal lines mark "ok". */
    static Set<String> confirmed(Iterable<String> lines) throws Exception {
        Map<String, String> reads = new HashMap<>();
        Set<String> ok = new HashSet<>();
        for (String raw : lines) {
            String line = closetaskbulk.run.Journal.unseal(raw);
            if (line == null) {
                continue; // a line torn by the kill mid-append never counts, as in the journal itself
            }
            String[] p = line.split(" ", 3);
            if (p[0].equals("read") && p.length == 3) {
                List<String> ids = new ArrayList<>();
                Fixture.JSON.readTree(p[2]).fieldNames().forEachRemaining(ids::add);
                Collections.sort(ids);
                reads.put(p[1], String.join(",", ids));
            } else if (p[0].equals("ok") && reads.containsKey(p[1])) {
                ok.add(reads.get(p[1]));
            }
        }
        return ok;
    }

    /** The ids of a bulk write, as {@link #confirmed} names a batch. */
    static String sorted(Recorded put) {
        List<String> ids = new ArrayList<>(List.of(put.json().get("_params").get("id__in").asText().split(",")));
        Collections.sort(ids);
        return String.join(",", ids);
    }
}
