package dev.latchkey.verifier;

import java.util.Objects;

/**
 * An access token that must not be trusted, with the reason in the terms of Latchkey's HTTP
 * contract. The message says why, for logs; it is not meant for the caller, who only needs
 * {@link Reason#code()}.
 */
public final class TokenRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a token was refused, mapped to the contract's error codes on protected routes. */
    public enum Reason {
        /** No {@code Authorization} header, or not a {@code Bearer} one, or an empty token. */
        MISSING("TOKEN_MISSING"),
        /** Valid in every respect but its {@code exp}: clients refresh and retry on this one only. */
        EXPIRED("TOKEN_EXPIRED"),
        /** Bad signature, algorithm, {@code typ}, {@code iss}, {@code aud}, claims, unknown {@code kid}, malformed. */
        INVALID("TOKEN_INVALID");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        /** The contract's machine code: {@code TOKEN_MISSING}, {@code TOKEN_EXPIRED} or {@code TOKEN_INVALID}. */
        public String code() {
            return code;
        }
    }

    private final Reason reason;

    public TokenRejectedException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
