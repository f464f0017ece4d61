package closetaskbulk.csv;

/** The input changed while it was processed: its results cannot be written against it. */
public class FileChangedException extends RuntimeException {
    public FileChangedException(String message) {
        super(message, null, false, false);
    }
}
