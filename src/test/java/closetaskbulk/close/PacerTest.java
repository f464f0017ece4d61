package closetaskbulk.close;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import closetaskbulk.emulator.RateLimits;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pacer against the emulator's token bucket, without HTTP: callers on threads, answers after a random
 * latency (so they arrive out of order), each instance with its own Pacer as separate processes would.
 */
class PacerTest {

    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final DefaultCamelContext camel = new DefaultCamelContext();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /**
     * One instance: {@code threads} callers, each reading a batch then writing it as the bundle does, for
     * {@code batches} batches in all; counts the 429s.
     */
    private CompletableFuture<Void> instance(Pacer pacer, RateLimits close, int threads, int batches,
                                             AtomicInteger limited) {
        AtomicInteger left = new AtomicInteger(batches);
        List<CompletableFuture<Void>> callers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            callers.add(CompletableFuture.runAsync(() -> {
                while (left.getAndDecrement() > 0) {
                    call(pacer, close, "read", limited);
                    call(pacer, close, "write", limited);
                }
            }, pool));
        }
        return CompletableFuture.allOf(callers.toArray(CompletableFuture[]::new));
    }

    private void call(Pacer pacer, RateLimits close, String group, AtomicInteger limited) {
        while (true) {
            pacer.acquire(new DefaultExchange(camel), group);
            pause(1, 2); // on its way to Close
            RateLimits.Answer a = close.take(group);
            pause(10, 12); // Close working, the answer on its way back
            if (a.allowed()) {
                pacer.update(group, a.header());
                return;
            }
            limited.incrementAndGet();
            pacer.rateLimited(group, a.header(), "1");
        }
    }

    private static void pause(int fromMs, int toMs) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextInt(fromMs, toMs + 1));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void twoInstancesOnOneKeyAtHalfShareSeeNo429() {
        RateLimits close = new RateLimits().set(10, 20); // a burst of 10, then 20 calls a second
        AtomicInteger limited = new AtomicInteger();
        CompletableFuture<Void> a = instance(new Pacer(60_000, 0, 0.5), close, 4, 40, limited);
        CompletableFuture<Void> b = instance(new Pacer(60_000, 0, 0.5), close, 4, 40, limited);
        CompletableFuture.allOf(a, b).orTimeout(60, TimeUnit.SECONDS).join();
        assertEquals(0, limited.get(), "429s");
    }

    @Test
    void oneInstanceAloneSeesNo429() {
        // 20 a second: a token every 50 ms, so the test's own sleeps (a few ms late on a busy machine) do not
        // decide the outcome; 8 callers would send far faster than that without the pacer
        RateLimits close = new RateLimits().set(10, 20);
        AtomicInteger limited = new AtomicInteger();
        instance(new Pacer(60_000, 0), close, 8, 60, limited)
                .orTimeout(60, TimeUnit.SECONDS).join();
        assertEquals(0, limited.get(), "429s");
    }

    @Test
    void withoutARateLimitHeaderCallsAreNotHeldBack() {
        AtomicInteger inflight = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        Pacer pacer = new Pacer(60_000, 0, 0.5);
        // Close answering without the header: update(group, null)
        List<CompletableFuture<Void>> callers = new ArrayList<>();
        AtomicInteger left = new AtomicInteger(80);
        for (int t = 0; t < 4; t++) {
            callers.add(CompletableFuture.runAsync(() -> {
                while (left.getAndDecrement() > 0) {
                    pacer.acquire(new DefaultExchange(camel), "read");
                    max.accumulateAndGet(inflight.incrementAndGet(), Math::max);
                    pause(5, 10);
                    inflight.decrementAndGet();
                    pacer.update("read", null);
                }
            }, pool));
        }
        CompletableFuture.allOf(callers.toArray(CompletableFuture[]::new)).orTimeout(30, TimeUnit.SECONDS).join();
        assertTrue(max.get() > 1, "calls in flight at once: " + max.get());
    }

    @Test
    void afterTheResetOneCallWaitsForTheAnswerBeforeTheNext() {
        Pacer pacer = new Pacer(60_000, 0);
        pacer.acquire(new DefaultExchange(camel), "write");
        pacer.update("write", "limit=10, remaining=0, reset=0.05"); // spent; full again in 50 ms
        pacer.acquire(new DefaultExchange(camel), "write"); // after the reset: the one call
        CompletableFuture<Void> next = CompletableFuture.runAsync(
                () -> pacer.acquire(new DefaultExchange(camel), "write"), pool);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> !next.isDone());
        pacer.update("write", "limit=10, remaining=9, reset=0.1"); // its answer: 9 left
        await().atMost(Duration.ofSeconds(2)).until(next::isDone);
        assertFalse(next.isCompletedExceptionally());
    }

    @Test
    void theAllowanceIsSpreadOverTheTimeToTheResetNotSpentAtOnce() {
        Pacer pacer = new Pacer(60_000, 0);
        pacer.acquire(new DefaultExchange(camel), "write");
        pacer.update("write", "limit=20, remaining=4, reset=0.8"); // 4 calls may go in the next 0.8 s
        long start = System.nanoTime();
        for (int i = 0; i < 4; i++) {
            pacer.acquire(new DefaultExchange(camel), "write");
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms >= 500, "one every 0.2 s or so, not a burst: the 4 took " + ms + " ms");
    }

    @Test
    void aCallNeverAnsweredDoesNotHoldTheOthersBackPastTheAnswerTimeout() {
        Pacer pacer = new Pacer(60_000, 0, 1, 1500); // calls time out after 1.5 s
        pacer.acquire(new DefaultExchange(camel), "write"); // the first call: its answer never comes
        CompletableFuture<Void> next = CompletableFuture.runAsync(
                () -> pacer.acquire(new DefaultExchange(camel), "write"), pool);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).until(() -> !next.isDone());
        await().atMost(Duration.ofSeconds(5)).until(next::isDone);
        assertFalse(next.isCompletedExceptionally());
    }

    @Test
    void theWaitForAnAnswerCountsAgainstTheBudget() {
        Pacer pacer = new Pacer(200, 0);
        pacer.acquire(new DefaultExchange(camel), "write"); // the first call, never answered
        CompletableFuture<Void> next = CompletableFuture.runAsync(
                () -> pacer.acquire(new DefaultExchange(camel), "write"), pool);
        await().atMost(Duration.ofSeconds(5)).until(next::isDone);
        assertTrue(next.isCompletedExceptionally(), "gives up after close.rate-limit.max-wait");
        RateLimitBudgetSpent e = (RateLimitBudgetSpent) next.handle((v, t) -> t.getCause()).join();
        assertTrue(e.getMessage().contains("close.rate-limit.max-wait=200 ms"), e.getMessage());
    }
}
