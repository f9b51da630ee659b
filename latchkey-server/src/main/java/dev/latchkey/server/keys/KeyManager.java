package dev.latchkey.server.keys;

import com.nimbusds.jose.JWSAlgorithm;
import dev.latchkey.core.tokens.KeyRing;
import dev.latchkey.core.tokens.KeyRingSource;
import dev.latchkey.core.tokens.SigningKey;
import dev.latchkey.core.tokens.SigningKeyStore;
import dev.latchkey.core.tokens.SigningKeyStore.StoredKey;
import dev.latchkey.core.tokens.TokenSettings;
import dev.latchkey.server.config.LatchkeyConfig;
import java.nio.file.Path;
import java.security.Provider;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signing keys of a running Latchkey, kept in the database and shared by every instance on
 * it. Builds the {@link KeyRing} the issuer and the verifier use:
 *
 * <ul>
 *   <li>the active key (the most recently activated one) signs;</li>
 *   <li>the ring also holds, and the JWKS publishes, every pre-published (not yet active) key
 *       and every key retired less than {@link #retention} ago, so no token signed before a
 *       rotation is refused while it can still be valid.</li>
 * </ul>
 *
 * <p>The retention is the access-token lifetime plus the clock leeway plus the reload interval:
 * the last term covers an instance that keeps signing with the retired key until its next
 * reload. Each instance re-reads the table every reload interval (a cheap fingerprint query
 * first), and at once, at most once a second, when a token names a {@code kid} it does not know.
 */
public final class KeyManager implements KeyRingSource, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KeyManager.class);
    private static final long MIN_UNKNOWN_KID_RELOAD_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Automatic rotation pre-publishes the next key this long (at most) before activating it. */
    static final Duration MAX_PREPUBLICATION_LEAD = Duration.ofMinutes(10);

    /** What {@code latchkey keys list} shows for a key. */
    public enum State {
        ACTIVE("active"), PUBLISHED("published"), RETIRED_PUBLISHED("retired-published"), EXPIRED("expired"),
        SUPERSEDED("superseded");

        public final String label;

        State(String label) {
            this.label = label;
        }
    }

    /** One key as listed. */
    public record KeyInfo(StoredKey key, State state) {}

    private record Loaded(String version, List<StoredKey> rows, KeyRing ring, Instant ringExpiresAt) {}

    private final SigningKeyStore store;
    private final KeyEncryption encryption;
    private final Clock clock;
    private final Duration retention;
    private final Provider signatureProvider;
    private final Map<String, SigningKey> decoded = new ConcurrentHashMap<>();
    private final ReentrantLock reloadLock = new ReentrantLock();
    private final ReentrantLock unknownKidLock = new ReentrantLock();
    private volatile Loaded loaded;
    private volatile long lastReloadStartedNanos = System.nanoTime() - MIN_UNKNOWN_KID_RELOAD_NANOS;
    private ScheduledExecutorService scheduler;

    public KeyManager(SigningKeyStore store, KeyEncryption encryption, Clock clock, Duration retention) {
        this(store, encryption, clock, retention, null);
    }

    /** @param signatureProvider makes and checks the ring's signatures; null: the JDK's providers */
    public KeyManager(SigningKeyStore store, KeyEncryption encryption, Clock clock, Duration retention,
                      Provider signatureProvider) {
        this.signatureProvider = signatureProvider;
        this.store = store;
        this.encryption = encryption;
        this.clock = clock;
        this.retention = retention;
    }

    /** Access-token lifetime + clock leeway + reload interval. */
    public static Duration retention(TokenSettings tokens, Duration reloadInterval) {
        return tokens.accessTokenTtl().plus(tokens.clockLeeway()).plus(reloadInterval);
    }

    public static KeyManager forConfig(SigningKeyStore store, LatchkeyConfig config, Clock clock) {
        return forConfig(store, config, clock, null);
    }

    public static KeyManager forConfig(SigningKeyStore store, LatchkeyConfig config, Clock clock,
                                       Provider signatureProvider) {
        LatchkeyConfig.SigningKeySettings keys = config.signingKey();
        return new KeyManager(store, KeyEncryption.of(keys.keyEncryptionKey()), clock,
                retention(config.tokens(), keys.reloadInterval()), signatureProvider);
    }

    public boolean encryptsAtRest() {
        return encryption.encrypts();
    }

    public Duration retention() {
        return retention;
    }

    // ---- start ----

    /**
     * Makes sure a key is active and loads the ring. A configured key (file or variable) is
     * imported (once, by kid) and made active. Without one, the table's active key is used; when
     * the table has none, the development key of the data directory (generated once) is
     * registered and activated. With a key-encryption key, plaintext keys found are sealed.
     *
     * @throws IllegalArgumentException or {@link KeyEncryption.KeyUnreadableException} with a
     *                                  one-line message when a key cannot be read
     */
    public KeyRing start(LatchkeyConfig.SigningKeySettings settings, Path dataDirectory) {
        Instant now = clock.instant();
        SigningKey configured = SigningKeySource.configured(settings, now);
        if (configured != null) {
            if (store.insertIfAbsent(toStored(configured, StoredKey.CONFIGURED))) {
                log.info("imported the configured signing key {}", configured.kid());
            }
            store.activate(configured.kid(), now);
        } else if (activeRow(store.all()).isEmpty()) {
            SigningKey dev = SigningKeySource.loadOrGenerateDevKey(dataDirectory, clock, signatureProvider);
            StoredKey active = store.activateIfNoneActive(toStored(dev, StoredKey.GENERATED), now);
            if (active.kid().equals(dev.kid())) {
                log.info("registered the development signing key {} of {}", dev.kid(), dataDirectory);
            }
        }
        if (encryption.encrypts()) {
            for (StoredKey row : store.all()) {
                if (!KeyEncryption.isSealed(row.privateKey())) {
                    store.updatePrivateKey(row.kid(), encryption.seal(row.kid(), row.privateKey()));
                    log.info("encrypted signing key {} at rest", row.kid());
                }
            }
        }
        reload(true);
        return get();
    }

    /**
     * Re-reads the table every {@code reloadInterval} and, when {@code rotationInterval} is set,
     * rotates once the active key is older than it (only one instance does: the rotation is a
     * conditional change under the key lock).
     */
    public synchronized void startRefreshing(Duration reloadInterval, Duration rotationInterval) {
        if (scheduler != null) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "latchkey-keys");
            t.setDaemon(true);
            return t;
        });
        long period = reloadInterval.toMillis();
        scheduler.scheduleWithFixedDelay(() -> tick(rotationInterval), period, period, TimeUnit.MILLISECONDS);
    }

    /** One scheduled round: rotate when due, then reload. Never throws. */
    public void tick(Duration rotationInterval) {
        try {
            if (rotationInterval != null) {
                rotateIfDue(rotationInterval);
            }
            reload(false);
        } catch (RuntimeException e) {
            log.warn("reloading signing keys failed, will retry: {}", e.toString());
        }
    }

    // ---- the ring ----

    @Override
    public KeyRing get() {
        Loaded current = loaded;
        if (current == null) {
            throw new IllegalStateException("signing keys are not loaded yet");
        }
        if (current.ringExpiresAt() != null && !clock.instant().isBefore(current.ringExpiresAt())) {
            // a retired key's retention ended: rebuild from the rows already read
            reloadLock.lock();
            try {
                current = loaded;
                if (current.ringExpiresAt() != null && !clock.instant().isBefore(current.ringExpiresAt())) {
                    current = build(current.version(), current.rows(), false);
                    loaded = current;
                }
            } finally {
                reloadLock.unlock();
            }
        }
        return current.ring();
    }

    /**
     * Reloads when a token names an unknown kid: requests that arrive while a reload is running
     * share it, and reloads triggered this way are at least a second apart (the caller waits for
     * the next slot rather than being refused), so a flood of made-up kids costs one cheap query
     * a second, and a token of a key another instance just activated is never refused.
     */
    @Override
    public KeyRing refreshFor(String kid) {
        long arrived = System.nanoTime();
        unknownKidLock.lock();
        try {
            long waitNanos;
            // under the reload lock: a reload that has started has also finished
            reloadLock.lock();
            try {
                KeyRing ring = get();
                if (ring.find(kid).isPresent() || lastReloadStartedNanos - arrived > 0) {
                    return ring;
                }
                waitNanos = lastReloadStartedNanos + MIN_UNKNOWN_KID_RELOAD_NANOS - System.nanoTime();
            } finally {
                reloadLock.unlock();
            }
            if (waitNanos > 0) {
                TimeUnit.NANOSECONDS.sleep(waitNanos);
            }
            reload(false);
            return get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return get();
        } catch (RuntimeException e) {
            log.warn("reloading signing keys for an unknown kid failed: {}", e.toString());
            return get();
        } finally {
            unknownKidLock.unlock();
        }
    }

    /** Re-reads the keys when the table changed (or always, when {@code force}). */
    public void reload(boolean force) {
        reloadLock.lock();
        try {
            lastReloadStartedNanos = System.nanoTime();
            String version = store.version();
            Loaded current = loaded;
            if (!force && current != null && version.equals(current.version())) {
                return;
            }
            Loaded next = build(version, store.all(), current == null);
            if (current != null && !next.ring().current().kid().equals(current.ring().current().kid())) {
                log.info("signing key is now {} (was {})", next.ring().current().kid(), current.ring().current().kid());
            }
            loaded = next;
        } finally {
            reloadLock.unlock();
        }
    }

    private Loaded build(String version, List<StoredKey> rows, boolean strict) {
        Instant now = clock.instant();
        StoredKey active = activeRow(rows).orElseThrow(() -> new IllegalStateException("no signing key is active"));
        List<SigningKey> members = new ArrayList<>();
        Instant expiresAt = null;
        for (StoredKey row : rows) {
            boolean member = row.kid().equals(active.kid()) || row.pending();
            if (!member && row.retiredAt() != null && row.activatedAt() != null) {
                Instant leaves = row.retiredAt().plus(retention);
                if (now.isBefore(leaves)) {
                    member = true;
                    expiresAt = expiresAt == null || leaves.isBefore(expiresAt) ? leaves : expiresAt;
                }
            }
            if (!member) {
                decoded.remove(row.kid());
                continue;
            }
            try {
                members.add(decode(row));
            } catch (RuntimeException e) {
                if (strict || row.kid().equals(active.kid())) {
                    throw e;
                }
                log.warn("signing key {} is left out of the ring: {}", row.kid(), e.getMessage());
            }
        }
        return new Loaded(version, List.copyOf(rows), KeyRing.of(members, active.kid(), signatureProvider), expiresAt);
    }

    private SigningKey decode(StoredKey row) {
        SigningKey known = decoded.get(row.kid());
        if (known != null) {
            return known;
        }
        String pem = encryption.open(row.kid(), row.privateKey());
        SigningKey parsed;
        try {
            parsed = SigningKeySource.fromPem(pem, row.createdAt());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Signing key " + row.kid() + " in the database is not usable: " + e.getMessage(), e);
        }
        SigningKey key = new SigningKey(row.kid(), parsed.privateJwk(), JWSAlgorithm.parse(row.algorithm()), row.createdAt());
        decoded.put(row.kid(), key);
        return key;
    }

    // ---- changes (CLI and automatic rotation) ----

    /** Generates a key and publishes it without activating it (pre-publication). */
    public StoredKey generate(JWSAlgorithm algorithm) {
        StoredKey key = toStored(newKey(algorithm, clock.instant()), StoredKey.GENERATED);
        store.insertIfAbsent(key);
        reloadQuietly();
        return key;
    }

    /**
     * Activates the newest pending key now (generating one when none is pending); the active
     * key is retired now and stays published for the retention.
     *
     * @param algorithm for a generated key; a pending key keeps its own
     */
    public StoredKey rotate(JWSAlgorithm algorithm) {
        Instant now = clock.instant();
        StoredKey activated = store.rotate(now, null, false, () -> toStored(newKey(algorithm, now), StoredKey.GENERATED))
                .orElseThrow(() -> new IllegalStateException("rotation did not happen"));
        reloadQuietly();
        return activated;
    }

    /**
     * The automatic rotation: pre-publishes the next key a lead time before the active key is
     * {@code interval} old (lead: half the interval, at most ten minutes, so verifiers caching the
     * JWKS see it before it signs), and activates it once the active key is that old.
     *
     * @return the newly activated key, when this call rotated
     */
    public Optional<StoredKey> rotateIfDue(Duration interval) {
        Instant now = clock.instant();
        List<StoredKey> rows = store.all();
        Optional<StoredKey> active = activeRow(rows);
        if (active.isEmpty() || StoredKey.CONFIGURED.equals(active.get().source())) {
            return Optional.empty();
        }
        JWSAlgorithm algorithm = JWSAlgorithm.parse(active.get().algorithm());
        Duration lead = interval.dividedBy(2);
        lead = lead.compareTo(MAX_PREPUBLICATION_LEAD) > 0 ? MAX_PREPUBLICATION_LEAD : lead;
        Instant due = active.get().activatedAt().plus(interval);
        if (!now.isBefore(due.minus(lead)) && now.isBefore(due) && rows.stream().noneMatch(StoredKey::pending)) {
            StoredKey next = toStored(newKey(algorithm, now), StoredKey.GENERATED);
            if (store.insertIfNonePending(next)) {
                log.info("pre-published signing key {}; it signs from {}", next.kid(), due);
            }
            reloadQuietly();
            return Optional.empty();
        }
        Optional<StoredKey> rotated = store.rotate(now, now.minus(interval), true,
                () -> toStored(newKey(algorithm, now), StoredKey.GENERATED));
        rotated.ifPresent(key -> {
            log.info("rotated the signing key: {} signs now, {} stays published for {}", key.kid(), active.get().kid(),
                    retention);
            reloadQuietly();
        });
        return rotated;
    }

    /** Every key with its state, oldest first. */
    public List<KeyInfo> list() {
        Instant now = clock.instant();
        List<StoredKey> rows = store.all();
        String activeKid = activeRow(rows).map(StoredKey::kid).orElse(null);
        List<KeyInfo> result = new ArrayList<>();
        for (StoredKey row : rows) {
            State state;
            if (row.kid().equals(activeKid)) {
                state = State.ACTIVE;
            } else if (row.pending()) {
                state = State.PUBLISHED;
            } else if (row.retiredAt() != null && now.isBefore(row.retiredAt().plus(retention))) {
                state = State.RETIRED_PUBLISHED;
            } else if (row.retiredAt() != null) {
                state = State.EXPIRED;
            } else {
                state = State.SUPERSEDED; // active in the table but not the newest: only mid-change
            }
            result.add(new KeyInfo(row, state));
        }
        return result;
    }

    public Optional<StoredKey> active() {
        return activeRow(store.all());
    }

    public static JWSAlgorithm algorithm(String name) {
        return switch (name.toUpperCase(Locale.ROOT)) {
            case "RS256" -> JWSAlgorithm.RS256;
            case "ES256" -> JWSAlgorithm.ES256;
            default -> throw new IllegalArgumentException("unsupported algorithm '" + name + "' (use RS256 or ES256)");
        };
    }

    private void reloadQuietly() {
        if (loaded == null) {
            return;
        }
        try {
            reload(false);
        } catch (RuntimeException e) {
            log.warn("reloading signing keys failed, will retry: {}", e.toString());
        }
    }

    private static Optional<StoredKey> activeRow(List<StoredKey> rows) {
        return rows.stream().filter(StoredKey::active).max(Comparator.comparing(StoredKey::activatedAt));
    }

    private StoredKey toStored(SigningKey key, String source) {
        String pem = SigningKeySource.toPkcs8Pem(key.privateJwk());
        return new StoredKey(key.kid(), key.algorithm().getName(), encryption.seal(key.kid(), pem), source,
                key.createdAt(), null, null);
    }

    private SigningKey newKey(JWSAlgorithm algorithm, Instant now) {
        return SigningKey.generate(algorithm, now, signatureProvider);
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
