package closetaskbulk.run;

import closetaskbulk.close.CloseWork;

/** A call made for a run: it carries the run's key and time zone, and counts in the run's summary. */
public abstract class RunCall implements CloseWork {

    protected final Run run;

    protected RunCall(Run run) {
        this.run = run;
    }

    public Run run() {
        return run;
    }

    @Override
    public String authorization() {
        return run.authorization();
    }

    @Override
    public String tzOffset() {
        return run.tzOffset();
    }

    @Override
    public void counted(boolean retry) {
        run.calls().counted(group(), retry);
    }

    @Override
    public void answered(int status, Double remaining) {
        run.calls().answered(status, remaining);
    }
}
