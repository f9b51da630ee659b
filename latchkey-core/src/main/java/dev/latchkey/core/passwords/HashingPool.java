package dev.latchkey.core.passwords;

import dev.latchkey.core.errors.LatchkeyException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Where password hashing runs: a fixed number of threads (one per core by default) and a
 * bounded queue in front of them. When both are full, or when the work would wait longer than
 * {@code maxWait} for a thread (judged from the queue's depth and the recent time per job), it
 * is refused at once with {@code 503 SERVICE_UNAVAILABLE} and {@code Retry-After}, instead of
 * piling up: a login flood then costs its senders their answers, not everyone else's refreshes
 * and verifications, which never come here.
 *
 * <p>The time bound follows the configured cost on its own: with bcrypt at cost 12 (about
 * 0.25 s per hash) and two threads, a 1 s bound lets about 8 jobs wait, where a 64-deep queue
 * would make the last one wait about 8 s; with argon2id's default parameters (about 40 ms) it
 * lets about 50 wait.
 */
public final class HashingPool implements AutoCloseable {
    /** What a refused caller is told to wait. */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    /** What a job is assumed to cost until one has been measured. */
    private static final long INITIAL_JOB_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final ThreadPoolExecutor executor;
    private final int queueCapacity;
    private final long maxWaitNanos;
    private final int threads;
    /** Moving average of the time per job, in nanoseconds (weight 1/8 for the newest). */
    private final AtomicLong averageJobNanos = new AtomicLong(INITIAL_JOB_NANOS);

    /** A pool bounded only by its queue's capacity. */
    public HashingPool(int threads, int queueCapacity) {
        this(threads, queueCapacity, null);
    }

    /**
     * A pool bounded by its queue's capacity and by the expected wait: a job that would wait
     * longer than {@code maxWait} for a thread is refused (null or zero: no time bound).
     */
    public HashingPool(int threads, int queueCapacity, Duration maxWait) {
        if (threads < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("threads and queue capacity must be at least 1");
        }
        this.queueCapacity = queueCapacity;
        this.threads = threads;
        this.maxWaitNanos = maxWait == null || maxWait.isZero() || maxWait.isNegative() ? Long.MAX_VALUE : maxWait.toNanos();
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
        refuseIfFull();
        Future<T> future;
        try {
            future = executor.submit(() -> {
                long start = System.nanoTime();
                try {
                    return work.get();
                } finally {
                    record(System.nanoTime() - start);
                }
            });
        } catch (RejectedExecutionException e) {
            throw LatchkeyException.busy(RETRY_AFTER);
        }
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw LatchkeyException.busy(RETRY_AFTER);
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

    /**
     * Refuses at once, as {@link #run} would, when work submitted now would find the queue full or
     * wait longer than the bound: for callers with work of their own to do before they hash (a
     * login reads the account first), so that an attempt the pool cannot take costs none of it.
     * {@link #run} checks again, since the pool fills in between.
     */
    public void refuseIfFull() {
        if (executor.getQueue().remainingCapacity() == 0
                || maxWaitNanos != Long.MAX_VALUE && expectedWaitNanos() > maxWaitNanos) {
            throw LatchkeyException.busy(RETRY_AFTER);
        }
    }

    public void execute(Runnable work) {
        run(() -> {
            work.run();
            return null;
        });
    }

    /**
     * How long a job submitted now would wait for a thread: none while a thread is idle, else the
     * jobs ahead of it (those waiting, plus one finishing) shared among the threads, at the recent
     * time per job.
     */
    long expectedWaitNanos() {
        int waiting = executor.getQueue().size();
        if (waiting == 0 && executor.getActiveCount() < threads) {
            return 0;
        }
        return (long) ((waiting + 1) / (double) threads * averageJobNanos.get());
    }

    private void record(long nanos) {
        averageJobNanos.getAndUpdate(average -> average + (nanos - average) / 8);
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
