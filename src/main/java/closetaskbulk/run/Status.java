package closetaskbulk.run;

/** A row's result, one per input line. */
public enum Status { UPDATED, UNCHANGED, NOT_FOUND, INVALID, DUPLICATE, FAILED, DRY_RUN, CHANGED_SINCE_PLAN }
