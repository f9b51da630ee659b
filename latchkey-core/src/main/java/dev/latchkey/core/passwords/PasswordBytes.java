package dev.latchkey.core.passwords;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes a password is hashed as: its UTF-8 encoding, exactly as given.
 *
 * <p>No Unicode normalization (NFC/NFKC) is applied: "é" typed as one code point and "é"
 * typed as "e" plus a combining accent are different passwords. Browsers and operating
 * systems almost always send the composed form, and normalizing would make hashes
 * disagree with other apps that verify the same imported hashes.
 *
 * <p>The encoding is strict: a string with an unpaired surrogate is not text and is refused
 * instead of being encoded as {@code ?}, which would let different strings collide.
 */
final class PasswordBytes {

    private PasswordBytes() {}

    /** UTF-8 bytes of the password; throws {@link IllegalArgumentException} for malformed UTF-16. */
    static byte[] utf8(String password) {
        try {
            ByteBuffer buffer = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(password));
            byte[] bytes = Arrays.copyOfRange(buffer.array(), buffer.position(), buffer.limit());
            Arrays.fill(buffer.array(), (byte) 0);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("password is not valid Unicode text (unpaired surrogate)");
        }
    }

    /** True when the password can be encoded, i.e. has no unpaired surrogate. */
    static boolean isWellFormed(String password) {
        for (int i = 0; i < password.length(); i++) {
            char c = password.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < password.length() && Character.isLowSurrogate(password.charAt(i + 1))) {
                    i++;
                } else {
                    return false;
                }
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
