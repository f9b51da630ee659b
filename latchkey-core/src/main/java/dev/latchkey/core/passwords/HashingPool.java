package dev.latchkey.core.passwords;

import dev.latchkey.core.errors.ErrorCode;
import dev.latchkey.core.errors.LatchkeyException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Where password hashing runs: a fixed number of threads (one per core by default) and a
 * bounded queue in front of them. When both are full the work is refused at once with
 * {@code 503 SERVICE_UNAVAILABLE} and {@code Retry-After}, instead of piling up: a login flood
 * then costs its senders their answers, not everyone else's refreshes and verifications, which
 * never come here.
 */
public final class HashingPool implements AutoCloseable {
    /** What a refused caller is told to wait. */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final ThreadPoolExecutor executor;
    private final int queueCapacity;

    public HashingPool(int threads, int queueCapacity) {
        if (threads < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("threads and queue capacity must be at least 1");
        }
        this.queueCapacity = queueCapacity;
        AtomicInteger count = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueCapacity), r -> {
                    Thread t = new Thread(r, "latchkey-hashing-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** Threads = available processors, queue = 32 per thread. */
    public static HashingPool sizedForThisMachine() {
        int cores = Runtime.getRuntime().availableProcessors();
        return new HashingPool(cores, 32 * cores);
    }

    /** Runs the hashing work on the pool and waits for it; refused with 503 when the pool is full. */
    public <T> T run(Supplier<T> work) {
        Future<T> future;
        try {
            future = executor.submit(work::get);
        } catch (RejectedExecutionException e) {
            throw LatchkeyException.retryLater(ErrorCode.SERVICE_UNAVAILABLE,
                    "The server is busy; try again shortly.", RETRY_AFTER);
        }
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw LatchkeyException.retryLater(ErrorCode.SERVICE_UNAVAILABLE, "The server is busy; try again shortly.",
                    RETRY_AFTER);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        }
    }

    public void execute(Runnable work) {
        run(() -> {
            work.run();
            return null;
        });
    }

    /** Hashing jobs waiting for a thread (published as a metric by operations). */
    public int queueDepth() {
        return executor.getQueue().size();
    }

    public int queueCapacity() {
        return queueCapacity;
    }

    /** Hashing jobs running now. */
    public int active() {
        return executor.getActiveCount();
    }

    public int threads() {
        return executor.getMaximumPoolSize();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
