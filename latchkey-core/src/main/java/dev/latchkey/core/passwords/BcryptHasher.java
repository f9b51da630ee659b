package dev.latchkey.core.passwords;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * bcrypt via BouncyCastle's {@link OpenBSDBCrypt}, writing {@code $2b$<cost>$...} and
 * verifying {@code $2a$}, {@code $2b$} and {@code $2y$} hashes imported from other apps
 * (PHP writes {@code $2y$}, Node's bcrypt/bcryptjs {@code $2b$}/{@code $2a$}; for passwords of
 * up to 72 bytes the three are the same algorithm).
 *
 * <h2>Passwords longer than 72 bytes</h2>
 * bcrypt reads only the first 72 bytes of its input, so most implementations silently
 * ignore the rest: two long passwords sharing a prefix would be interchangeable. Latchkey
 * never truncates. The rule, which depends only on the password:
 * <ul>
 *   <li>UTF-8 encoding of at most 72 bytes: those bytes go to bcrypt unchanged, so such
 *       hashes are plain standard bcrypt and interoperate with every other implementation;
 *   <li>longer: bcrypt gets the 44-character standard base64 (with padding) of
 *       HMAC-SHA256 over all the password's bytes, keyed with the fixed, public string
 *       {@value #PREHASH_KEY}. The key is not a secret; it only separates this use of
 *       SHA-256 from any other. Base64 keeps NUL bytes out of bcrypt's input.
 * </ul>
 * Because the rule is a function of the password alone, no marker is stored in the hash.
 * Consequence for imports: a hash that another app made from a password longer than
 * 72 bytes (which that app truncated) will not verify here; those few users reset their
 * password.
 *
 * <p>Passwords are UTF-8 encoded exactly as given, without Unicode normalization.
 */
public final class BcryptHasher implements PasswordHasher {

    public static final int DEFAULT_COST = 12;
    /**
     * The highest cost Latchkey verifies, writes or imports. Each step doubles the work: 16 is
     * some seconds of one core per login, while 31 (the format's limit) would be hours. A
     * stored hash above it (imported before the cap existed) is refused without running
     * bcrypt, so one login attempt cannot occupy a hashing thread for that long; such a user
     * resets the password.
     */
    public static final int MAX_COST = 16;
    /** Allowed range for hashes Latchkey writes. */
    static final int MIN_CONFIGURED_COST = 10;
    static final int MAX_CONFIGURED_COST = MAX_COST;
    /** The lowest cost the bcrypt format allows; a cheap imported hash verifies (and is upgraded). */
    static final int MIN_COST = 4;
    /** The highest cost the bcrypt format allows: such a hash is bcrypt, but above {@link #MAX_COST}. */
    static final int FORMAT_MAX_COST = 31;

    static final int MAX_BCRYPT_BYTES = 72;
    static final String PREHASH_KEY = "latchkey-bcrypt-prehash-v1";

    private static final Pattern MODULAR_CRYPT = Pattern.compile("\\$2[aby]\\$([0-9]{2})\\$[./A-Za-z0-9]{53}");
    private static final int SALT_BYTES = 16;

    private final int cost;
    private final SecureRandom random;
    private final Consumer<String> warnings;
    private final AtomicBoolean warnedAboveMaxCost = new AtomicBoolean();

    /** As below, with warnings dropped (tests, and tools that only hash). */
    public BcryptHasher(int cost, SecureRandom random) {
        this(cost, random, warning -> { });
    }

    /**
     * @param cost     log2 of the work factor, {@value #MIN_CONFIGURED_COST}..{@value #MAX_CONFIGURED_COST}
     * @param warnings told once when a stored hash above {@link #MAX_COST} is refused (the
     *                 operator's log); once, because a login flood on such accounts would
     *                 otherwise repeat it for every attempt
     */
    public BcryptHasher(int cost, SecureRandom random, Consumer<String> warnings) {
        if (cost < MIN_CONFIGURED_COST || cost > MAX_CONFIGURED_COST) {
            throw new IllegalArgumentException("bcrypt cost must be " + MIN_CONFIGURED_COST + ".."
                    + MAX_CONFIGURED_COST + ", got " + cost);
        }
        this.cost = cost;
        this.random = Objects.requireNonNull(random, "random");
        this.warnings = Objects.requireNonNull(warnings, "warnings");
    }

    public int cost() {
        return cost;
    }

    @Override
    public String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] input = bcryptInput(password);
        try {
            return OpenBSDBCrypt.generate("2b", input, salt, cost);
        } finally {
            Arrays.fill(input, (byte) 0);
        }
    }

    /** False for a wrong password, and without running bcrypt for a hash above {@link #MAX_COST}. */
    @Override
    public boolean verify(String password, String encodedHash) {
        int hashCost = parseCost(encodedHash);
        if (hashCost < 0 || !PasswordBytes.isWellFormed(password)) {
            return false;
        }
        if (hashCost > MAX_COST) {
            if (warnedAboveMaxCost.compareAndSet(false, true)) {
                warnings.accept("refused a stored bcrypt hash of cost " + hashCost + ", above the " + MAX_COST
                        + " Latchkey verifies: such logins fail as a wrong password until the user resets the"
                        + " password (this is logged once)");
            }
            return false;
        }
        byte[] input = bcryptInput(password);
        try {
            // compares in constant time internally
            return OpenBSDBCrypt.checkPassword(encodedHash, input);
        } catch (RuntimeException e) {
            // BouncyCastle rejects some inputs our pattern lets through (e.g. a bad salt encoding)
            return false;
        } finally {
            Arrays.fill(input, (byte) 0);
        }
    }

    @Override
    public boolean recognizes(String encodedHash) {
        return encodedHash != null
                && (encodedHash.startsWith("$2a$") || encodedHash.startsWith("$2b$") || encodedHash.startsWith("$2y$"));
    }

    /** True when the cost differs from this hasher's (or the hash is unreadable). The variant letter alone does not matter. */
    @Override
    public boolean needsRehash(String encodedHash) {
        return parseCost(encodedHash) != cost;
    }

    /** The cost of a well-formed $2a$/$2b$/$2y$ hash, or -1. */
    private static int parseCost(String encodedHash) {
        if (encodedHash == null) {
            return -1;
        }
        Matcher m = MODULAR_CRYPT.matcher(encodedHash);
        if (!m.matches()) {
            return -1;
        }
        int parsed = Integer.parseInt(m.group(1));
        return parsed >= MIN_COST && parsed <= FORMAT_MAX_COST ? parsed : -1;
    }

    /** The bytes given to bcrypt: the password's UTF-8 if it fits in 72 bytes, else the pre-hash. */
    static byte[] bcryptInput(String password) {
        byte[] utf8 = PasswordBytes.utf8(password);
        if (utf8.length <= MAX_BCRYPT_BYTES) {
            return utf8;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(PREHASH_KEY.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
            byte[] digest = mac.doFinal(utf8);
            byte[] encoded = Base64.getEncoder().encode(digest);
            Arrays.fill(digest, (byte) 0);
            return encoded;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
        } finally {
            Arrays.fill(utf8, (byte) 0);
        }
    }
}
