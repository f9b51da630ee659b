package dev.latchkey.core.passwords;

import java.util.concurrent.CountDownLatch;

/**
 * A hashing pool made busy for a test: its one thread held by a job that waits for
 * {@link #close}, and {@code queued} jobs waiting behind it.
 */
public record OccupiedPool(CountDownLatch release, Thread[] callers) implements AutoCloseable {

    public static OccupiedPool of(HashingPool pool, int queued) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread[] callers = new Thread[queued + 1];
        callers[0] = Thread.ofVirtual().start(() -> pool.execute(() -> {
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        running.await();
        for (int i = 1; i <= queued; i++) {
            callers[i] = Thread.ofVirtual().start(() -> pool.execute(() -> { }));
        }
        while (pool.queueDepth() < queued) {
            Thread.sleep(1);
        }
        return new OccupiedPool(release, callers);
    }

    @Override
    public void close() throws InterruptedException {
        release.countDown();
        for (Thread caller : callers) {
            caller.join();
        }
    }
}
