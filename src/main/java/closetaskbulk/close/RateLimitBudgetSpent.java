package closetaskbulk.close;

/** Waiting on Close's rate limit took longer than close.rate-limit.max-wait: the batch fails, the run goes on. */
public class RateLimitBudgetSpent extends CloseException {
    public RateLimitBudgetSpent(String message) {
        super(429, message);
    }
}
