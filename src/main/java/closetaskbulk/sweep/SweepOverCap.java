package closetaskbulk.sweep;

import closetaskbulk.run.RunFailed;

/** More tasks match a sweep than its max-tasks: nothing is sent; its summary says "rejected" and why. */
public class SweepOverCap extends RunFailed {

    public SweepOverCap(String message) {
        super("rejected", message);
    }
}
