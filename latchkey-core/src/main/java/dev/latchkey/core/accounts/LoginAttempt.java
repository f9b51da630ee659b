package dev.latchkey.core.accounts;

/** What a login attempt came to. */
public sealed interface LoginAttempt {

    record Succeeded(User user) implements LoginAttempt {}

    /** Wrong password, unknown email or disabled account; {@code userId} is null when no account has the email. */
    record Failed(String userId) implements LoginAttempt {}
}
