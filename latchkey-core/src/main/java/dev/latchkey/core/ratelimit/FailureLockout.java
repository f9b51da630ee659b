package dev.latchkey.core.ratelimit;

import java.time.Duration;
import java.util.Optional;

/**
 * Consecutive login failures per account and the lockout they lead to ({@link LockoutPolicy}).
 * In process today ({@link LocalFailureLockout}); a shared implementation (Redis) plugs in here.
 */
public interface FailureLockout {

    /** How long the key stays locked, when it is locked now. Asked before any password is verified. */
    Optional<Duration> lockedFor(String key);

    /** A failed attempt (wrong password or unknown account) for the key. */
    void failed(String key);

    /** A successful attempt: the count starts over. */
    void succeeded(String key);
}
