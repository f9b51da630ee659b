package dev.latchkey.core.tokens;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Port for the signing keys shared by every instance on one database. The store keeps the
 * private key as the opaque text it is given (PEM, or PEM sealed under a key-encryption key:
 * the store never sees the difference) and the key's life: created, activated (signing),
 * retired (a newer key took over).
 *
 * <p>Every state change is serialized across instances (an advisory lock on PostgreSQL, the
 * single write lock on SQLite), so two instances never both activate a key.
 */
public interface SigningKeyStore {

    /**
     * One row of the keys table.
     *
     * @param privateKey  the stored text: PKCS#8 PEM, or an encrypted envelope of it
     * @param source      how the key got there: {@link #GENERATED} or {@link #CONFIGURED}
     * @param activatedAt null while the key is published but not yet signing
     * @param retiredAt   when a newer key took over; null while active or pending
     */
    record StoredKey(String kid, String algorithm, String privateKey, String source, Instant createdAt,
                     Instant activatedAt, Instant retiredAt) {
        public static final String GENERATED = "generated";
        public static final String CONFIGURED = "configured";

        public StoredKey {
            Objects.requireNonNull(kid, "kid");
            Objects.requireNonNull(algorithm, "algorithm");
            Objects.requireNonNull(privateKey, "privateKey");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(createdAt, "createdAt");
        }

        public boolean active() {
            return activatedAt != null && retiredAt == null;
        }

        public boolean pending() {
            return activatedAt == null && retiredAt == null;
        }

        @Override
        public String toString() {
            return "StoredKey[kid=" + kid + ", algorithm=" + algorithm + ", source=" + source + ", createdAt=" + createdAt
                    + ", activatedAt=" + activatedAt + ", retiredAt=" + retiredAt + "]";
        }
    }

    /** Every key, oldest first. */
    List<StoredKey> all();

    Optional<StoredKey> find(String kid);

    /**
     * A cheap fingerprint of the table (count and latest times): when it has not changed, neither
     * have the keys, so instances poll this instead of reading every key.
     */
    String version();

    /** Inserts the key unless one with its kid exists; true when this call inserted it. */
    boolean insertIfAbsent(StoredKey key);

    /**
     * Makes {@code kid} the active key now: every other active key is retired at {@code now},
     * and {@code kid} gets {@code activatedAt = now} (and loses any {@code retiredAt}). Nothing
     * changes when {@code kid} is the active key already.
     *
     * @return false when there is no such key (nothing changes then)
     */
    boolean activate(String kid, Instant now);

    /**
     * When no key is active: inserts {@code candidate} (unless its kid exists) and activates it.
     *
     * @return the active key afterwards: the candidate, or the key that was already active
     */
    StoredKey activateIfNoneActive(StoredKey candidate, Instant now);

    /**
     * Rotates, atomically: when the active key was activated before {@code dueBefore} (or
     * always, when it is null, or when no key is active), the newest pending key (or else the
     * one {@code newKey} makes, inserted) becomes active and the previous one is retired at
     * {@code now}.
     *
     * @param skipIfBusy on PostgreSQL, give up at once (empty) when another instance holds the
     *                   key lock instead of waiting for it
     * @return the newly activated key; empty when not due or skipped
     */
    Optional<StoredKey> rotate(Instant now, Instant dueBefore, boolean skipIfBusy, Supplier<StoredKey> newKey);

    /**
     * Pre-publishes {@code candidate} (inserts it, not active) unless some key is pending already;
     * serialized like every change, so racing instances add one key between them.
     *
     * @return true when this call inserted it
     */
    boolean insertIfNonePending(StoredKey candidate);

    /** Replaces the stored private-key text (re-encryption). */
    void updatePrivateKey(String kid, String privateKey);
}
