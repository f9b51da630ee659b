package dev.latchkey.core.passwords;

/** Outcome of checking a candidate password against the policy. */
public sealed interface PasswordCheck {
    record Accepted() implements PasswordCheck {}

    /** {@code reason} is a sentence for the user, e.g. "must be at least 15 characters". */
    record Rejected(String reason) implements PasswordCheck {}
}
