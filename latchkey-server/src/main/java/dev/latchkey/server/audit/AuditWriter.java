package dev.latchkey.server.audit;

import dev.latchkey.core.audit.AuditEvent;
import dev.latchkey.core.audit.AuditLog;
import dev.latchkey.core.audit.AuditStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail: each event becomes one JSON log line on the {@code latchkey.audit} logger,
 * written at once on the request's thread, and one row of {@code audit_events}, written by a
 * single background thread that batches whatever has queued up (one transaction per batch).
 *
 * <p>Why rows are written behind the request: a request never waits on, nor fails because of,
 * the audit insert (a database hiccup must not turn a good login into a 503), a flood of refused
 * attempts costs the database one batched insert instead of one commit each, and the hot path
 * (refresh) keeps a single commit. The price: rows still queued when the process is killed are
 * lost (at most the last moment's worth; a clean shutdown writes them all), and when the queue
 * is full (database down for long) new rows are dropped and counted. The log line, written
 * synchronously, still records every event in both cases.
 */
public final class AuditWriter implements AuditLog, AutoCloseable {
    private static final Logger auditLog = LoggerFactory.getLogger("latchkey.audit");
    private static final Logger log = LoggerFactory.getLogger(AuditWriter.class);
    public static final int QUEUE_CAPACITY = 10_000;
    private static final int BATCH = 500;
    private static final int ATTEMPTS = 3;

    private final AuditStore store;
    private final BlockingQueue<AuditEvent> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong processed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Object progress = new Object();
    private final Thread writer;
    private volatile boolean closing;

    public AuditWriter(AuditStore store) {
        this.store = store;
        this.writer = Thread.ofPlatform().name("latchkey-audit-writer").daemon(true).unstarted(this::writeLoop);
        writer.start();
    }

    @Override
    public void record(AuditEvent event) {
        auditLog.info(event.toJson());
        if (closing || !queue.offer(event)) {
            long n = dropped.incrementAndGet();
            if (Long.bitCount(n) == 1) { // 1st, 2nd, 4th, 8th... drop: a warning that cannot flood the log itself
                log.warn("audit queue full or closed: {} audit rows dropped so far (their log lines were written)", n);
            }
            return;
        }
        accepted.incrementAndGet();
    }

    /** Waits (at most {@code timeout}) until every event recorded before this call is written or given up. */
    public boolean flush(Duration timeout) {
        long target = accepted.get();
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (processed.get() < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(progress, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    /** Rows waiting to be written. */
    public int queueDepth() {
        return queue.size();
    }

    /** Rows dropped since start (queue full, or the database refused them repeatedly). */
    public long dropped() {
        return dropped.get();
    }

    private void writeLoop() {
        List<AuditEvent> batch = new ArrayList<>(BATCH);
        while (true) {
            try {
                AuditEvent first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                write(batch);
            } catch (InterruptedException e) {
                if (closing && queue.isEmpty()) {
                    return;
                }
            } finally {
                if (!batch.isEmpty()) {
                    processed.addAndGet(batch.size());
                    batch.clear();
                    synchronized (progress) {
                        progress.notifyAll();
                    }
                }
            }
        }
    }

    private void write(List<AuditEvent> batch) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                store.insertAll(batch);
                return;
            } catch (RuntimeException e) {
                if (attempt == ATTEMPTS || closing) {
                    dropped.addAndGet(batch.size());
                    log.warn("could not write {} audit rows, dropping them (their log lines were written): {}",
                            batch.size(), e.toString());
                    return;
                }
                Thread.sleep(500L * attempt);
            }
        }
    }

    /** Writes what is queued (waiting a few seconds at most), then stops the writer. */
    @Override
    public void close() {
        flush(Duration.ofSeconds(5));
        closing = true;
        try {
            writer.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            writer.interrupt();
        }
    }
}
