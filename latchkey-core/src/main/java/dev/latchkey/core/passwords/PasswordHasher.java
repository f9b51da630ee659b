package dev.latchkey.core.passwords;

/**
 * One password hashing scheme. Hashes are self-describing strings (PHC form for argon2id,
 * modular-crypt form for bcrypt) so parameters can change and old hashes still verify.
 */
public interface PasswordHasher {

    /** Hashes with a fresh random salt. Never truncates the password. */
    String hash(String password);

    /** True when the password matches; false for a wrong password or a hash this scheme cannot read. */
    boolean verify(String password, String encodedHash);

    /** True when this scheme can read the hash (by its prefix). */
    boolean recognizes(String encodedHash);

    /** True when the hash was made with other parameters than this hasher's, so it should be redone. */
    boolean needsRehash(String encodedHash);
}
