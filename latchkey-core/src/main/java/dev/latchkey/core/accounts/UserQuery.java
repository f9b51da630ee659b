package dev.latchkey.core.accounts;

import java.time.Instant;
import java.util.Objects;

/**
 * One page of the user listing: users ordered by {@code (createdAt, id)}, after {@code after}
 * (exclusive; null for the first page), optionally only those whose email starts with
 * {@code emailPrefix} (already lowercased) and those with {@code role}.
 */
public record UserQuery(String emailPrefix, String role, Position after, int limit) {
    public static final int MAX_LIMIT = 200;

    public UserQuery {
        if (limit < 1 || limit > MAX_LIMIT + 1) {
            throw new IllegalArgumentException("limit must be between 1 and " + (MAX_LIMIT + 1));
        }
        emailPrefix = emailPrefix == null || emailPrefix.isEmpty() ? null : emailPrefix;
        role = role == null || role.isEmpty() ? null : role;
    }

    /** Where a page ends: the sort key of its last user. Stable even when that user is deleted meanwhile. */
    public record Position(Instant createdAt, String id) {
        public Position {
            Objects.requireNonNull(createdAt, "createdAt");
            Objects.requireNonNull(id, "id");
        }
    }
}
