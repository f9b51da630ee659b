package dev.latchkey.core.sessions;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * Seals a session's successor refresh token with a key derived from its predecessor, so the
 * grace-window replay can answer with the same successor although only hashes are stored.
 *
 * <p>Key: HKDF-SHA256 of the predecessor raw token's UTF-8 bytes (no salt: the token is a
 * uniformly random secret already), info {@code "latchkey refresh successor v1"}, 32 bytes.
 * Cipher: AES-256-GCM, a random 12-byte nonce, the session id as associated data so a sealed
 * value cannot be moved to another session. Layout: {@code version(1) || nonce(12) ||
 * ciphertext || tag(16)}.
 *
 * <p>Why this is safe to store: the database holds only the predecessor's SHA-256, from which
 * the key cannot be derived. A database dump alone opens nothing; only whoever holds the
 * predecessor raw token (the client that just rotated, or a racer with the same cookie) can open
 * it, and that holder could have rotated the token itself anyway.
 *
 * <p>Thread-safe: no mutable state besides the injected {@link SecureRandom}, which is.
 */
public final class SuccessorSeal {

    static final byte VERSION = 1;
    static final int NONCE_BYTES = 12;
    static final int TAG_BITS = 128;
    private static final int KEY_BYTES = 32;
    private static final byte[] INFO = "latchkey refresh successor v1".getBytes(StandardCharsets.UTF_8);
    private static final int MIN_SEALED_LENGTH = 1 + NONCE_BYTES + TAG_BITS / 8;

    private final SecureRandom random;

    public SuccessorSeal(SecureRandom random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    /** Seals {@code successorRawToken} for holders of {@code predecessorRawToken} in {@code sessionId}. */
    public byte[] seal(String predecessorRawToken, String successorRawToken, String sessionId) {
        Objects.requireNonNull(predecessorRawToken, "predecessorRawToken");
        Objects.requireNonNull(successorRawToken, "successorRawToken");
        Objects.requireNonNull(sessionId, "sessionId");
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            byte[] ciphertext = cipher(Cipher.ENCRYPT_MODE, predecessorRawToken, nonce, sessionId)
                    .doFinal(successorRawToken.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[1 + NONCE_BYTES + ciphertext.length];
            out[0] = VERSION;
            System.arraycopy(nonce, 0, out, 1, NONCE_BYTES);
            System.arraycopy(ciphertext, 0, out, 1 + NONCE_BYTES, ciphertext.length);
            return out;
        } catch (GeneralSecurityException e) {
            // AES-GCM is mandatory in every JRE; failing here means a broken runtime.
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /**
     * Opens a sealed successor. Empty for anything that does not authenticate: a different
     * predecessor, a different session id, an unknown version, tampered or truncated bytes, or
     * null input. Never throws, so callers can treat "cannot open" as one case.
     */
    public Optional<String> open(String predecessorRawToken, byte[] sealed, String sessionId) {
        if (predecessorRawToken == null || sealed == null || sessionId == null
                || sealed.length < MIN_SEALED_LENGTH || sealed[0] != VERSION) {
            return Optional.empty();
        }
        byte[] nonce = Arrays.copyOfRange(sealed, 1, 1 + NONCE_BYTES);
        try {
            byte[] plain = cipher(Cipher.DECRYPT_MODE, predecessorRawToken, nonce, sessionId)
                    .doFinal(sealed, 1 + NONCE_BYTES, sealed.length - 1 - NONCE_BYTES);
            return Optional.of(new String(plain, StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            return Optional.empty();
        }
    }

    private static Cipher cipher(int mode, String predecessorRawToken, byte[] nonce, String sessionId)
            throws GeneralSecurityException {
        byte[] key = deriveKey(predecessorRawToken);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(sessionId.getBytes(StandardCharsets.UTF_8));
            return cipher;
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    private static byte[] deriveKey(String predecessorRawToken) {
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(predecessorRawToken.getBytes(StandardCharsets.UTF_8), null, INFO));
        byte[] key = new byte[KEY_BYTES];
        hkdf.generateBytes(key, 0, KEY_BYTES);
        return key;
    }
}
