package dev.latchkey.core.passwords;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id (RFC 9106, version 0x13) via BouncyCastle, stored as a standard PHC string:
 * {@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}, salt and hash in standard base64
 * without padding, as the reference implementation writes them. That way hashes move freely
 * between Latchkey and other argon2 libraries (libsodium, argon2-cffi, PHP, Spring).
 *
 * <p>Parsing is strict (exact field order, no leading zeros, no padding, canonical base64,
 * version 19 only) and never throws: anything it cannot read does not verify. Parameters in
 * a hash are bounded by {@link Argon2idParameters}'s limits before any work is done.
 *
 * <p>The password is hashed as its UTF-8 bytes without normalization (see {@link PasswordBytes}).
 */
public final class Argon2idHasher implements PasswordHasher {

    static final int SALT_BYTES = 16;
    static final int HASH_BYTES = 32;
    private static final int MIN_SALT_BYTES = 8;
    private static final int MAX_SALT_BYTES = 64;
    private static final int MIN_HASH_BYTES = 16;
    private static final int MAX_HASH_BYTES = 64;
    private static final String PREFIX = "$argon2id$";

    private static final String NUMBER = "(0|[1-9][0-9]{0,9})";
    private static final Pattern PHC = Pattern.compile(
            "\\$argon2id\\$v=19\\$m=" + NUMBER + ",t=" + NUMBER + ",p=" + NUMBER
                    + "\\$([A-Za-z0-9+/]+)\\$([A-Za-z0-9+/]+)");

    private static final Base64.Encoder ENCODER = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getDecoder();

    private final Argon2idParameters parameters;
    private final SecureRandom random;
    /**
     * Argon2's memory (19 MiB with the default parameters), kept between hashes instead of
     * allocated anew for each (BouncyCastle clears a block when it goes back to its pool): 19 MiB
     * of short-lived blocks per login made a small SerialGC heap run a full collection about
     * every 100 ms under a login load, which cost about a third of the hashing pool's time.
     * At most {@code retainedMemories} are kept, one per hash that can run at once (the hashing
     * pool's threads); a hash that finds none idle allocates its own, which is kept only if there
     * is room. Not tied to threads: a thread that hashed once (the one that makes the dummy hash
     * at start) would otherwise hold 19 MiB for the life of the process.
     */
    private final BlockingQueue<Argon2BytesGenerator.BlockPool> idleMemories;

    public Argon2idHasher(Argon2idParameters parameters, SecureRandom random) {
        this(parameters, random, Runtime.getRuntime().availableProcessors());
    }

    /** @param retainedMemories how many hashes' worth of memory to keep between hashes (0: none) */
    public Argon2idHasher(Argon2idParameters parameters, SecureRandom random, int retainedMemories) {
        this.parameters = Objects.requireNonNull(parameters, "parameters");
        this.random = Objects.requireNonNull(random, "random");
        if (retainedMemories < 0) {
            throw new IllegalArgumentException("retained memories must not be negative");
        }
        this.idleMemories = retainedMemories == 0
                ? new SynchronousQueue<>() // offers fail, polls find nothing: nothing is kept
                : new ArrayBlockingQueue<>(retainedMemories);
    }

    /** How many hashes' worth of memory are kept now (for tests). */
    int idleMemories() {
        return idleMemories.size();
    }

    public Argon2idParameters parameters() {
        return parameters;
    }

    @Override
    public String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return hash(password, salt);
    }

    /** Deterministic variant for tests against reference vectors. */
    String hash(String password, byte[] salt) {
        byte[] hash = compute(password, new Phc(parameters, salt, new byte[HASH_BYTES]));
        return PREFIX + "v=19$m=" + parameters.memoryKiB() + ",t=" + parameters.iterations()
                + ",p=" + parameters.parallelism() + "$" + ENCODER.encodeToString(salt)
                + "$" + ENCODER.encodeToString(hash);
    }

    @Override
    public boolean verify(String password, String encodedHash) {
        Optional<Phc> parsed = parse(encodedHash);
        if (parsed.isEmpty() || !PasswordBytes.isWellFormed(password)) {
            return false;
        }
        Phc phc = parsed.get();
        byte[] actual = compute(password, phc);
        return MessageDigest.isEqual(actual, phc.hash());
    }

    @Override
    public boolean recognizes(String encodedHash) {
        return encodedHash != null && encodedHash.startsWith(PREFIX);
    }

    /** True when m, t or p differ from this hasher's, or the salt or hash length differ from what it writes. */
    @Override
    public boolean needsRehash(String encodedHash) {
        return parse(encodedHash)
                .map(phc -> !phc.parameters().equals(parameters)
                        || phc.salt().length != SALT_BYTES
                        || phc.hash().length != HASH_BYTES)
                .orElse(true);
    }

    private byte[] compute(String password, Phc phc) {
        Argon2BytesGenerator.BlockPool memory = idleMemories.poll();
        if (memory == null) {
            memory = new Argon2BytesGenerator.FixedBlockPool(parameters.memoryKiB()); // one block is 1 KiB
        }
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withBlockPool(memory)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(phc.parameters().memoryKiB())
                .withIterations(phc.parameters().iterations())
                .withParallelism(phc.parameters().parallelism())
                .withSalt(phc.salt())
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params);
        byte[] passwordBytes = PasswordBytes.utf8(password);
        byte[] out = new byte[phc.hash().length];
        try {
            generator.generateBytes(passwordBytes, out);
        } finally {
            Arrays.fill(passwordBytes, (byte) 0);
            params.clear();
            idleMemories.offer(memory); // dropped when enough are kept already
        }
        return out;
    }

    /** A parsed PHC string; empty for anything malformed or out of bounds. */
    static Optional<Phc> parse(String encodedHash) {
        if (encodedHash == null || encodedHash.length() > 512) {
            return Optional.empty();
        }
        Matcher m = PHC.matcher(encodedHash);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            long memory = Long.parseLong(m.group(1));
            long iterations = Long.parseLong(m.group(2));
            long parallelism = Long.parseLong(m.group(3));
            if (memory > Integer.MAX_VALUE || iterations > Integer.MAX_VALUE || parallelism > Integer.MAX_VALUE) {
                return Optional.empty();
            }
            Argon2idParameters parameters = new Argon2idParameters((int) memory, (int) iterations, (int) parallelism);
            byte[] salt = decodeCanonical(m.group(4));
            byte[] hash = decodeCanonical(m.group(5));
            if (salt.length < MIN_SALT_BYTES || salt.length > MAX_SALT_BYTES
                    || hash.length < MIN_HASH_BYTES || hash.length > MAX_HASH_BYTES) {
                return Optional.empty();
            }
            return Optional.of(new Phc(parameters, salt, hash));
        } catch (IllegalArgumentException e) {
            // out-of-range parameters or undecodable base64
            return Optional.empty();
        }
    }

    /** Decodes unpadded base64, refusing non-canonical forms (stray low bits) that would alias. */
    private static byte[] decodeCanonical(String text) {
        byte[] bytes = DECODER.decode(text);
        if (!ENCODER.encodeToString(bytes).equals(text)) {
            throw new IllegalArgumentException("non-canonical base64");
        }
        return bytes;
    }

    record Phc(Argon2idParameters parameters, byte[] salt, byte[] hash) {}
}
