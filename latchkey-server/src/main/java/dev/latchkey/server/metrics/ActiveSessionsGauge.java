package dev.latchkey.server.metrics;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The number of live sessions, counted by the database every {@link #interval()} in the
 * background and cached, so that a scrape never waits for the database (nor piles queries on a
 * slow one). Before the first count, and while counting fails, the last value stays (NaN at first).
 */
public final class ActiveSessionsGauge {
    private static final Logger log = LoggerFactory.getLogger(ActiveSessionsGauge.class);

    private final LongSupplier counter;
    private final Duration interval;
    private volatile double value = Double.NaN;
    private volatile boolean failing;

    public ActiveSessionsGauge(LongSupplier counter, Duration interval) {
        this.counter = counter;
        this.interval = interval;
    }

    /** Counts now, then every interval on {@code scheduler}. */
    public void scheduleOn(ScheduledExecutorService scheduler) {
        scheduler.scheduleWithFixedDelay(this::refresh, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Counts once; a failure keeps the last value and is logged once until counting works again. */
    public void refresh() {
        try {
            value = counter.getAsLong();
            failing = false;
        } catch (RuntimeException e) {
            if (!failing) {
                log.warn("could not count live sessions for the metrics, keeping the last count: {}", e.toString());
            }
            failing = true;
        }
    }

    public double value() {
        return value;
    }

    public Duration interval() {
        return interval;
    }
}
