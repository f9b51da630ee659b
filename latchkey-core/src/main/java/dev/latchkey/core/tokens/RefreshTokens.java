package dev.latchkey.core.tokens;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;

/**
 * Opaque refresh tokens: 256 bits from a CSPRNG, base64url without padding (43 characters).
 * Only {@link #hash(String)} of a token is ever stored; the tokens are high-entropy, so a plain
 * SHA-256 is the right hash (a slow password hash would buy nothing).
 */
public final class RefreshTokens {

    /** Random bytes per token. */
    public static final int TOKEN_BYTES = 32;
    /** Length of a token and of its hash: 32 bytes in unpadded base64url. */
    public static final int ENCODED_LENGTH = 43;

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private RefreshTokens() {
    }

    /** A new refresh token. */
    public static String generate(SecureRandom random) {
        return randomToken(random);
    }

    /** The stored form of a token: SHA-256 of its UTF-8 bytes, base64url without padding. */
    public static String hash(String rawToken) {
        Objects.requireNonNull(rawToken, "rawToken");
        return ENCODER.encodeToString(sha256().digest(rawToken.getBytes(StandardCharsets.UTF_8)));
    }

    /** 32 random bytes, base64url without padding: for CSRF tokens and ids. */
    public static String randomToken(SecureRandom random) {
        Objects.requireNonNull(random, "random");
        byte[] bytes = new byte[TOKEN_BYTES];
        random.nextBytes(bytes);
        return ENCODER.encodeToString(bytes);
    }

    /**
     * Whether {@code candidate} has the shape of a token this class makes (43 base64url
     * characters). A cheap filter before any lookup; says nothing about validity.
     */
    public static boolean isWellFormed(String candidate) {
        if (candidate == null || candidate.length() != ENCODED_LENGTH) {
            return false;
        }
        for (int i = 0; i < candidate.length(); i++) {
            char c = candidate.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Constant-time comparison of two stored-form hashes (or any two tokens). */
    public static boolean constantTimeEquals(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
