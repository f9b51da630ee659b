package dev.latchkey.core.secrets;

import java.util.function.Supplier;

/**
 * Port for server-side secrets shared by every instance on one database (for example the key
 * that binds CSRF tokens to sessions).
 */
public interface SecretStore {

    /**
     * Returns the secret stored under {@code name}; when there is none, stores the one from
     * {@code generator} first. Safe when several instances race: all end up with the same value.
     */
    byte[] getOrCreate(String name, Supplier<byte[]> generator);
}
