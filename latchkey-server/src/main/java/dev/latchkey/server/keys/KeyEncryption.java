package dev.latchkey.server.keys;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * How private signing keys are kept at rest: sealed with AES-256-GCM (JCA) under the
 * key-encryption key when one is configured, else plaintext PEM. The sealed form is
 * {@code lk-aesgcm-v1:<base64(12-byte nonce || ciphertext || 16-byte tag)>}, with the key's
 * {@code kid} as associated data so a sealed key cannot be moved to another row unnoticed.
 */
public final class KeyEncryption {

    static final String PREFIX = "lk-aesgcm-v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec kek;
    private final SecureRandom random;

    private KeyEncryption(byte[] kek, SecureRandom random) {
        this.kek = kek == null ? null : new SecretKeySpec(Arrays.copyOf(kek, kek.length), "AES");
        this.random = random;
    }

    /** With a 32-byte key-encryption key, or null for plaintext storage. */
    public static KeyEncryption of(byte[] keyEncryptionKey) {
        if (keyEncryptionKey != null && keyEncryptionKey.length != 32) {
            throw new IllegalArgumentException("The key-encryption key must be 32 bytes");
        }
        return new KeyEncryption(keyEncryptionKey, new SecureRandom());
    }

    public boolean encrypts() {
        return kek != null;
    }

    public static boolean isSealed(String stored) {
        return stored.startsWith(PREFIX);
    }

    /** What to store for this PEM: sealed when a key-encryption key is configured. */
    public String seal(String kid, String pem) {
        if (kek == null) {
            return pem;
        }
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, kek, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad(kid));
            byte[] sealed = cipher.doFinal(pem.getBytes(StandardCharsets.US_ASCII));
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return PREFIX + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot encrypt signing key " + kid + ": " + e.getMessage(), e);
        }
    }

    /**
     * The PEM of a stored key.
     *
     * @throws KeyUnreadableException with a one-line message when it is sealed and there is no
     *                                key-encryption key, or the key does not open it
     */
    public String open(String kid, String stored) {
        if (!isSealed(stored)) {
            return stored;
        }
        if (kek == null) {
            throw new KeyUnreadableException("Signing key " + kid + " in the database is encrypted, but"
                    + " LATCHKEY_KEY_ENCRYPTION_KEY is not set");
        }
        try {
            byte[] in = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
            if (in.length <= NONCE_BYTES) {
                throw new KeyUnreadableException("Signing key " + kid + " in the database is damaged");
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, kek, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            cipher.updateAAD(aad(kid));
            byte[] pem = cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES);
            return new String(pem, StandardCharsets.US_ASCII);
        } catch (AEADBadTagException e) {
            throw new KeyUnreadableException("LATCHKEY_KEY_ENCRYPTION_KEY does not decrypt signing key " + kid
                    + " (wrong key-encryption key, or the stored key was altered)");
        } catch (IllegalArgumentException e) {
            throw new KeyUnreadableException("Signing key " + kid + " in the database is damaged");
        } catch (GeneralSecurityException e) {
            throw new KeyUnreadableException("Cannot decrypt signing key " + kid + ": " + e.getMessage());
        }
    }

    private static byte[] aad(String kid) {
        return ("latchkey-signing-key:" + kid).getBytes(StandardCharsets.UTF_8);
    }

    /** A stored key that cannot be read back; the message is one line and names no secret. */
    public static final class KeyUnreadableException extends IllegalStateException {
        public KeyUnreadableException(String message) {
            super(message);
        }
    }
}
