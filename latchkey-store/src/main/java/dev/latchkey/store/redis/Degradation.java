package dev.latchkey.store.redis;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/** Logs the fall-back to per-instance counters once when Redis fails, and once when it answers again. */
final class Degradation {
    private final Logger log;
    private final String what;
    private final AtomicBoolean degraded = new AtomicBoolean();

    Degradation(Logger log, String what) {
        this.log = log;
        this.what = what;
    }

    void failed(String location, Throwable cause) {
        if (degraded.compareAndSet(false, true)) {
            log.warn("Redis at {} unavailable ({}): {} fall back to this instance's own counters until it answers again",
                    location, cause == null ? "disconnected" : Redis.rootMessage(cause), what);
        }
    }

    void answered(String location) {
        if (degraded.compareAndSet(true, false)) {
            log.info("Redis at {} answers again: {} are shared again", location, what);
        }
    }

    boolean degraded() {
        return degraded.get();
    }
}
