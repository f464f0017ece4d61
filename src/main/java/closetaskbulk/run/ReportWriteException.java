package closetaskbulk.run;

/**
 * A report, undo or journal file could not be written (a full disk, a folder gone). Not an IOException on
 * purpose: the error routes retry IOExceptions as network faults, and this is not one.
 */
public class ReportWriteException extends RuntimeException {
    public ReportWriteException(String what, Exception cause) {
        super("cannot write " + what + ": " + cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : " " + cause.getMessage()), null, false, false);
    }
}
