package dev.latchkey.core.passwords;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which stored hashes from another application Latchkey takes over as they are: bcrypt in
 * modular-crypt form ({@code $2a$}, {@code $2b$}, {@code $2y$}) and argon2id in PHC form. Both
 * verify at login through {@link PasswordHashing}, which then upgrades them to the configured
 * scheme.
 */
public final class ImportedHashes {
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$([0-9]{2})\\$[./A-Za-z0-9]{53}");

    private ImportedHashes() {
    }

    /** Empty when the hash can be imported, else why not (one short phrase). */
    public static Optional<String> problem(String hash) {
        if (hash == null || hash.isBlank()) {
            return Optional.of("password_hash is empty");
        }
        if (hash.startsWith("$2")) {
            Matcher m = BCRYPT.matcher(hash);
            if (!m.matches()) {
                return Optional.of("not a valid bcrypt hash ($2a$/$2b$/$2y$, cost, 53 characters of salt and hash)");
            }
            int cost = Integer.parseInt(m.group(1));
            if (cost < BcryptHasher.MIN_COST || cost > BcryptHasher.FORMAT_MAX_COST) {
                return Optional.of("bcrypt cost " + cost + " is out of range (" + BcryptHasher.MIN_COST + "-"
                        + BcryptHasher.FORMAT_MAX_COST + ")");
            }
            if (cost > BcryptHasher.MAX_COST) {
                return Optional.of("bcrypt cost " + cost + " is above " + BcryptHasher.MAX_COST
                        + ", the most Latchkey verifies (each login would take too long): have the user reset the password instead");
            }
            return Optional.empty();
        }
        if (hash.startsWith("$argon2id$")) {
            // exactly what verification accepts, parameter bounds included
            return Argon2idHasher.parse(hash).isPresent() ? Optional.empty()
                    : Optional.of("not a valid argon2id hash ($argon2id$v=19$m=..,t=..,p=..$salt$hash, parameters in range)");
        }
        return Optional.of("unsupported hash: only bcrypt ($2a$, $2b$, $2y$) and argon2id ($argon2id$) can be imported");
    }
}
