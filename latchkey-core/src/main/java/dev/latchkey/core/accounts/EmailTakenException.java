package dev.latchkey.core.accounts;

/** Thrown by a {@link UserStore} when the unique email constraint refuses an insert. */
public final class EmailTakenException extends RuntimeException {
    public EmailTakenException() {
        super("email taken", null, false, false);
    }
}
