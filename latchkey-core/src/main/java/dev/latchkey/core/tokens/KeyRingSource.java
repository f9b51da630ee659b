package dev.latchkey.core.tokens;

import java.util.function.Supplier;

/**
 * A {@link Supplier} of the current key ring that can also look again when a token names a key
 * the ring does not hold: another instance may have rotated keys since the ring was loaded.
 * {@link AccessTokenVerifier} asks {@link #refreshFor(String)} before refusing an unknown
 * {@code kid}; implementations bound how often that reaches their backing store.
 */
public interface KeyRingSource extends Supplier<KeyRing> {

    /** The ring after looking for {@code kid} anew; may be the same ring when nothing changed. */
    default KeyRing refreshFor(String kid) {
        return get();
    }
}
