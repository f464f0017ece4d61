package closetaskbulk.run;

import java.io.IOException;
import java.util.List;

/** Walks a run's rows again, in input order, for the reports. */
public interface RowSource {

    void forEach(Visitor visitor) throws IOException;

    /** One row: its line, id and cells. */
    interface Visitor {
        void row(int line, String id, List<String> cells) throws IOException;
    }
}
