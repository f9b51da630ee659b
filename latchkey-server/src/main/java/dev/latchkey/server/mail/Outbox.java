package dev.latchkey.server.mail;

import dev.latchkey.server.config.MailSettings;
import java.time.Clock;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where mail goes, off the request thread: jobs (store a token, then send its mail) run on a small
 * bounded executor, so no answer waits for, or depends on, the SMTP server. A failure is one
 * ERROR line naming the recipient and the reason (no stack trace); the caller has long had its answer.
 * A job starts 25 to 75 ms (at random) after it is handed over, once the answer that caused it
 * has left: its work (a database insert, the SMTP exchange) then never competes with that very
 * request, whose timing must not tell whether there was anything to send.
 *
 * <p>Delivery is by SMTP when configured. Without SMTP, on the embedded database (development)
 * each message goes to the log, marked {@code DEV MAIL (not sent)}, link and token included:
 * this is the only place a token is ever logged, and only in that mode. Without SMTP on
 * PostgreSQL (production) nothing is sent and a WARN line says mail is not configured.
 */
public final class Outbox implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("latchkey.mail");
    private static final int THREADS = 2;
    private static final int QUEUE = 1000;
    private static final long MIN_DELAY_MILLIS = 25;
    private static final long DELAY_SPREAD_MILLIS = 50;

    /** How messages leave. */
    public enum Mode { SMTP, DEV_LOG, NOT_CONFIGURED }

    private final Mode mode;
    private final SmtpTransport smtp;
    private final ScheduledThreadPoolExecutor executor;

    private Outbox(Mode mode, SmtpTransport smtp) {
        this.mode = mode;
        this.smtp = smtp;
        AtomicInteger threads = new AtomicInteger();
        this.executor = new ScheduledThreadPoolExecutor(THREADS, r -> {
            Thread t = new Thread(r, "latchkey-mail-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.prestartAllCoreThreads();
    }

    public static Outbox create(MailSettings settings, boolean development, Clock clock) {
        if (settings.smtp() != null) {
            log.info("mail: sending through {} as {}", settings.smtp(), settings.from());
            return new Outbox(Mode.SMTP, new SmtpTransport(settings.smtp(), settings.from(), clock));
        }
        if (development) {
            log.warn("mail: LATCHKEY_SMTP_URL is not set; development mode: mails are written to this log"
                    + " (\"DEV MAIL (not sent)\", links and tokens included) instead of being sent");
            return new Outbox(Mode.DEV_LOG, null);
        }
        log.warn("mail: LATCHKEY_SMTP_URL is not set: email verification and password-reset mails are NOT sent;"
                + " configure LATCHKEY_SMTP_URL and LATCHKEY_MAIL_FROM");
        return new Outbox(Mode.NOT_CONFIGURED, null);
    }

    public Mode mode() {
        return mode;
    }

    /**
     * Runs {@code job} on the mail threads. Never throws and never blocks: a full queue drops the
     * job with an ERROR line.
     */
    public void submit(String description, Runnable job) {
        if (executor.getQueue().size() >= QUEUE) {
            log.error("mail: {} dropped: the mail queue is full ({} waiting)", description, QUEUE);
            return;
        }
        long delay = MIN_DELAY_MILLIS + ThreadLocalRandom.current().nextLong(DELAY_SPREAD_MILLIS + 1);
        try {
            executor.schedule(() -> {
                try {
                    job.run();
                } catch (RuntimeException e) {
                    log.error("mail: {} failed: {}", description, e.toString());
                }
            }, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.error("mail: {} dropped: the mail service is stopping", description);
        }
    }

    /** Sends the message now, on the calling (mail) thread. A failure is logged, never thrown. */
    void deliver(MailMessage message) {
        switch (mode) {
            case SMTP -> {
                try {
                    smtp.send(message);
                    log.info("mail: sent '{}' to {}", message.subject(), message.to());
                } catch (Exception e) {
                    log.error("mail: could not send '{}' to {} through the SMTP server: {}", message.subject(), message.to(),
                            reason(e));
                }
            }
            case DEV_LOG -> log.info("DEV MAIL (not sent): to={}, subject={}, body={}", message.to(), message.subject(),
                    message.text().replace("\r", "").replace("\n", "\\n"));
            case NOT_CONFIGURED -> log.warn("mail: not sending '{}' to {}: mail is not configured (set LATCHKEY_SMTP_URL"
                    + " and LATCHKEY_MAIL_FROM)", message.subject(), message.to());
        }
    }

    /** The innermost cause's class and message, one line. */
    private static String reason(Throwable e) {
        Throwable root = e;
        StringBuilder chain = new StringBuilder(e.getClass().getSimpleName() + ": " + e.getMessage());
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
            chain.append(" (caused by ").append(root.getClass().getSimpleName()).append(": ").append(root.getMessage()).append(')');
        }
        return chain.toString().replace("\r", " ").replace("\n", " ");
    }

    /** Waits up to {@code millis} for queued jobs to finish (tests, shutdown). */
    public boolean drain(long millis) {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            if (executor.getQueue().isEmpty() && executor.getActiveCount() == 0) {
                return true;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
