package dev.latchkey.core.accounts;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Email addresses as Latchkey keys accounts by them: trimmed, lowercased, one {@code @}, no spaces. */
public final class Emails {
    public static final int MAX_LENGTH = 254;
    private static final Pattern SHAPE = Pattern.compile("[^@\\s\\p{Cntrl}]+@[^@\\s\\p{Cntrl}.][^@\\s\\p{Cntrl}]*");

    private Emails() {
    }

    /** The normalized address, or empty when it is not a plausible email address. */
    public static Optional<String> normalize(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        String email = raw.strip().toLowerCase(Locale.ROOT);
        if (email.isEmpty() || email.length() > MAX_LENGTH || !SHAPE.matcher(email).matches() || email.endsWith(".")) {
            return Optional.empty();
        }
        return Optional.of(email);
    }
}
