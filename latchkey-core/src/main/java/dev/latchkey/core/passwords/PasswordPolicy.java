package dev.latchkey.core.passwords;

import java.util.Objects;

/**
 * What a new password must satisfy, following NIST SP 800-63B rev. 4: a minimum length
 * (15 by default, for a password that is the only factor; configurable down to 8), a
 * maximum of 256 characters, and not being on the list of common or breached passwords.
 * There are no composition rules (digits, symbols, case): they make passwords harder to
 * remember without making them meaningfully harder to guess.
 *
 * <p>Lengths count Unicode code points, so an emoji outside the Basic Multilingual Plane is
 * one character, as the user sees it. Passwords are never trimmed, truncated or normalized:
 * leading and trailing spaces are part of the password.
 */
public final class PasswordPolicy {

    public static final int DEFAULT_MIN_LENGTH = 15;
    public static final int LOWEST_MIN_LENGTH = 8;
    public static final int MAX_LENGTH = 256;

    private final int minLength;
    private final CommonPasswords commonPasswords;

    public PasswordPolicy(int minLength, CommonPasswords commonPasswords) {
        if (minLength < LOWEST_MIN_LENGTH || minLength > MAX_LENGTH) {
            throw new IllegalArgumentException("password minimum length must be " + LOWEST_MIN_LENGTH + ".."
                    + MAX_LENGTH + ", got " + minLength);
        }
        this.minLength = minLength;
        this.commonPasswords = Objects.requireNonNull(commonPasswords, "commonPasswords");
    }

    /** Minimum 15 and the bundled common-password list. */
    public static PasswordPolicy defaults() {
        return new PasswordPolicy(DEFAULT_MIN_LENGTH, CommonPasswords.bundled());
    }

    public int minLength() {
        return minLength;
    }

    public PasswordCheck check(String password) {
        Objects.requireNonNull(password, "password");
        int length = password.codePointCount(0, password.length());
        if (length < minLength) {
            return new PasswordCheck.Rejected("must be at least " + minLength + " characters");
        }
        if (length > MAX_LENGTH) {
            return new PasswordCheck.Rejected("must be at most " + MAX_LENGTH + " characters");
        }
        if (!PasswordBytes.isWellFormed(password)) {
            // an unpaired surrogate cannot be encoded as UTF-8, so it could not be hashed
            return new PasswordCheck.Rejected("must be valid Unicode text");
        }
        if (commonPasswords.contains(password)) {
            return new PasswordCheck.Rejected("is too common: it appears in lists of breached passwords");
        }
        return new PasswordCheck.Accepted();
    }
}
