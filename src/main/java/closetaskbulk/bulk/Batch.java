package closetaskbulk.bulk;

import java.util.ArrayList;
import java.util.List;

/**
 * Up to close.batch-size rows of one run that share one update: one read and one write to Close.
 * {@code lines[i]} is the input line of {@code ids[i]}.
 */
public final class Batch {

    private final Run run;
    private final Update update;
    private final int number;
    private final List<String> ids = new ArrayList<>();
    private final List<Integer> lines = new ArrayList<>();

    public Batch(Run run, Update update, int number) {
        this.run = run;
        this.update = update;
        this.number = number;
    }

    public void add(int line, String id) {
        ids.add(id);
        lines.add(line);
    }

    public Run run() {
        return run;
    }

    public Update update() {
        return update;
    }

    public int number() {
        return number;
    }

    public List<String> ids() {
        return ids;
    }

    public int line(int i) {
        return lines.get(i);
    }

    public int size() {
        return ids.size();
    }

    @Override
    public String toString() {
        return run.name() + " batch " + number + " (" + size() + " ids, " + update + ")";
    }
}
