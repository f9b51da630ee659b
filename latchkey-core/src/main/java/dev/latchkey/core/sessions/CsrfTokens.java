package dev.latchkey.core.sessions;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * CSRF tokens bound to a session without storing them: the token is
 * {@code base64url(HMAC-SHA256(secret, "latchkey csrf v1|" + sessionId))}, unpadded.
 *
 * <p>Why derived, not stored: any instance sharing the secret can check a token with nothing but
 * the session id, and a session id alone (without the server secret) yields no token. It depends
 * on the session id only, not on the refresh token, so it stays the same across rotations and
 * the client keeps one CSRF token for the session's whole life; logging in again (a new session)
 * gives a new one.
 *
 * <p>Thread-safe: a {@link Mac} is made per call; the secret is a private copy.
 */
public final class CsrfTokens {

    /** Minimum secret length: 256 bits, matching HMAC-SHA256's output size. */
    public static final int MIN_SECRET_BYTES = 32;

    private static final String ALGORITHM = "HmacSHA256";
    private static final String PREFIX = "latchkey csrf v1|";
    /** Unpadded base64url of 32 bytes. */
    static final int TOKEN_LENGTH = 43;

    private final byte[] secret;

    public CsrfTokens(byte[] secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException(
                    "CSRF secret must be at least " + MIN_SECRET_BYTES + " bytes, was " + secret.length);
        }
        this.secret = secret.clone();
    }

    /** The CSRF token of a session. */
    public String tokenFor(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac(sessionId));
    }

    /**
     * True when {@code presented} is the session's token. Compared in constant time; null, empty
     * or wrongly sized input is refused before any work (its length is not a secret).
     */
    public boolean matches(String sessionId, String presented) {
        if (sessionId == null || presented == null || presented.length() != TOKEN_LENGTH) {
            return false;
        }
        byte[] expected = tokenFor(sessionId).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.UTF_8));
    }

    private byte[] mac(String sessionId) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            return mac.doFinal((PREFIX + sessionId).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            // HmacSHA256 is mandatory in every JRE; failing here means a broken runtime.
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
