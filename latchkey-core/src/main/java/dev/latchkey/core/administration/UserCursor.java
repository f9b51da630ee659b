package dev.latchkey.core.administration;

import dev.latchkey.core.accounts.UserQuery;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * The opaque {@code cursor} of the user listing: base64url of {@code <createdAt millis>:<id>}
 * of the last user of the previous page. It carries the sort key itself, so a page boundary
 * stays put even when that user is deleted meanwhile. Clients must treat it as opaque.
 */
public final class UserCursor {
    private static final int MAX_LENGTH = 256;

    private UserCursor() {
    }

    public static String encode(UserQuery.Position position) {
        String raw = position.createdAt().toEpochMilli() + ":" + position.id();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** The position, or empty for anything this class did not make. */
    public static Optional<UserQuery.Position> decode(String cursor) {
        if (cursor == null || cursor.isEmpty() || cursor.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int colon = raw.indexOf(':');
            if (colon < 1 || colon == raw.length() - 1) {
                return Optional.empty();
            }
            String millis = raw.substring(0, colon);
            if (!millis.matches("-?[0-9]{1,18}")) {
                return Optional.empty();
            }
            String id = raw.substring(colon + 1);
            if (id.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                return Optional.empty();
            }
            return Optional.of(new UserQuery.Position(Instant.ofEpochMilli(Long.parseLong(millis)), id));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
