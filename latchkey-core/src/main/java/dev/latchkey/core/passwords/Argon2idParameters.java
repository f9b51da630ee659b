package dev.latchkey.core.passwords;

/**
 * Argon2id cost parameters.
 *
 * <p>The upper limits apply both to configuration and to hashes read back: a stored or
 * imported hash claiming more is refused rather than computed, so one bad row cannot tie up
 * the hashing pool or exhaust the heap. They are far above anything sensible for login.
 *
 * @param memoryKiB   memory in KiB (Argon2 {@code m}); at least 8 per lane
 * @param iterations  passes over memory (Argon2 {@code t})
 * @param parallelism lanes (Argon2 {@code p})
 */
public record Argon2idParameters(int memoryKiB, int iterations, int parallelism) {

    /** 1 GiB. */
    static final int MAX_MEMORY_KIB = 1024 * 1024;
    static final int MAX_ITERATIONS = 100;
    static final int MAX_PARALLELISM = 64;

    public Argon2idParameters {
        if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
            throw new IllegalArgumentException("argon2id parallelism must be 1.." + MAX_PARALLELISM + ", got " + parallelism);
        }
        if (iterations < 1 || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("argon2id iterations must be 1.." + MAX_ITERATIONS + ", got " + iterations);
        }
        if (memoryKiB < 8 * parallelism || memoryKiB > MAX_MEMORY_KIB) {
            throw new IllegalArgumentException("argon2id memory must be " + 8 * parallelism + ".." + MAX_MEMORY_KIB
                    + " KiB (at least 8 KiB per lane), got " + memoryKiB);
        }
    }

    /** OWASP Password Storage Cheat Sheet's first Argon2id option: m=19456 (19 MiB), t=2, p=1. */
    public static Argon2idParameters owasp() {
        return new Argon2idParameters(19456, 2, 1);
    }
}
