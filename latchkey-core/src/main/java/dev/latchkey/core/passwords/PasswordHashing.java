package dev.latchkey.core.passwords;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The password hashing the app uses: new hashes with the configured (primary) scheme, and
 * verification of any stored hash a known scheme recognizes, so the configured algorithm or
 * its parameters can change and old hashes are upgraded on the user's next successful login.
 *
 * <p>Unknown email addresses must cost as much as known ones, or response time tells an
 * attacker which accounts exist: {@link #verifyDummy} verifies against a hash made with the
 * primary's parameters. That dummy hash is computed once, eagerly, in the constructor (one
 * hash at startup), so no request ever pays for it and no lazy synchronization is needed.
 *
 * <p>Thread-safe; hashing is CPU- and memory-heavy, so callers run it on a bounded pool.
 */
public final class PasswordHashing {

    /**
     * Result of {@link #verify}.
     *
     * @param matches     the password is right
     * @param needsRehash the password is right and the stored hash should be replaced by
     *                    {@link #hash} of it (another algorithm or other parameters); never true
     *                    when {@code matches} is false
     */
    public record Verification(boolean matches, boolean needsRehash) {
        public Verification {
            if (needsRehash && !matches) {
                throw new IllegalArgumentException("only a matching password can be rehashed");
            }
        }

        static final Verification MISMATCH = new Verification(false, false);
    }

    private final PasswordHasher primary;
    private final List<PasswordHasher> verifiers;
    private final String dummyHash;

    /**
     * @param primary   makes every new hash
     * @param verifiers every scheme stored hashes may be in; the primary is tried first
     *                  whether or not it is listed
     * @param random    for the dummy password
     */
    public PasswordHashing(PasswordHasher primary, List<PasswordHasher> verifiers, SecureRandom random) {
        this.primary = Objects.requireNonNull(primary, "primary");
        List<PasswordHasher> all = new ArrayList<>();
        all.add(primary);
        for (PasswordHasher verifier : verifiers) {
            if (verifier != primary) {
                all.add(Objects.requireNonNull(verifier, "verifier"));
            }
        }
        this.verifiers = List.copyOf(all);
        byte[] dummyPassword = new byte[24];
        random.nextBytes(dummyPassword);
        this.dummyHash = primary.hash(Base64.getEncoder().encodeToString(dummyPassword));
    }

    /** Argon2id with OWASP's parameters as primary; bcrypt (cost 12) to verify imported hashes. */
    public static PasswordHashing argon2idDefault(SecureRandom random) {
        return new PasswordHashing(
                new Argon2idHasher(Argon2idParameters.owasp(), random),
                List.of(new BcryptHasher(BcryptHasher.DEFAULT_COST, random)),
                random);
    }

    /** As below, with warnings dropped (benchmarks and tests that only hash). */
    public static PasswordHashing configured(String algorithm, int argon2MemoryKiB, int argon2Iterations,
                                             int argon2Parallelism, int bcryptCost, SecureRandom random) {
        return configured(algorithm, argon2MemoryKiB, argon2Iterations, argon2Parallelism, bcryptCost,
                Runtime.getRuntime().availableProcessors(), random, warning -> { });
    }

    /**
     * From configuration. Both schemes can always verify; {@code algorithm} picks the one
     * new hashes use.
     *
     * @param algorithm {@code argon2id} or {@code bcrypt} (case-insensitive)
     * @param concurrentHashes how many hashes can run at once (the hashing pool's threads): argon2id
     *                  keeps that many hashes' worth of memory between hashes
     * @param warnings  where a warning for the operator goes (a stored hash refused for its cost)
     * @throws IllegalArgumentException for an unknown algorithm or out-of-range parameters
     */
    public static PasswordHashing configured(String algorithm, int argon2MemoryKiB, int argon2Iterations,
                                             int argon2Parallelism, int bcryptCost, int concurrentHashes,
                                             SecureRandom random, Consumer<String> warnings) {
        Argon2idHasher argon2id = new Argon2idHasher(
                new Argon2idParameters(argon2MemoryKiB, argon2Iterations, argon2Parallelism), random, concurrentHashes);
        BcryptHasher bcrypt = new BcryptHasher(bcryptCost, random, warnings);
        return switch (algorithm.strip().toLowerCase(Locale.ROOT)) {
            case "argon2id" -> new PasswordHashing(argon2id, List.of(bcrypt), random);
            case "bcrypt" -> new PasswordHashing(bcrypt, List.of(argon2id), random);
            default -> throw new IllegalArgumentException(
                    "unknown password hashing algorithm '" + algorithm + "': use argon2id or bcrypt");
        };
    }

    /** A new hash with the primary scheme. Never truncates the password. */
    public String hash(String password) {
        return primary.hash(password);
    }

    /**
     * Checks the password against a stored hash of any known scheme. A hash no scheme
     * recognizes does not match, after the same work as a real verification.
     */
    public Verification verify(String password, String storedHash) {
        Objects.requireNonNull(password, "password");
        for (PasswordHasher hasher : verifiers) {
            if (hasher.recognizes(storedHash)) {
                if (!hasher.verify(password, storedHash)) {
                    return Verification.MISMATCH;
                }
                boolean upgrade = !primary.recognizes(storedHash) || primary.needsRehash(storedHash);
                return new Verification(true, upgrade);
            }
        }
        verifyDummy(password);
        return Verification.MISMATCH;
    }

    /** Spends the work of one verification with the primary's parameters; for logins of unknown accounts. */
    public void verifyDummy(String password) {
        primary.verify(Objects.requireNonNull(password, "password"), dummyHash);
    }
}
