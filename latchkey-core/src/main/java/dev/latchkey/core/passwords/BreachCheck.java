package dev.latchkey.core.passwords;

/**
 * Asks whether a new password is known from data breaches beyond the bundled list (Have I Been
 * Pwned's range API, in the server). Used when a password is chosen: registration, password
 * change, and later reset.
 */
public interface BreachCheck {

    Result check(String password);

    /** The check when no breach service is configured: every password is clear. */
    static BreachCheck none() {
        return password -> Result.CLEAR;
    }

    sealed interface Result {
        Result CLEAR = new Clear();

        /** Not found (or the service was unreachable and the check fails open). */
        record Clear() implements Result {}

        /** Seen {@code count} times in breaches. */
        record Breached(long count) implements Result {}

        /** The service could not answer and the check fails closed. */
        record Unavailable() implements Result {}
    }
}
