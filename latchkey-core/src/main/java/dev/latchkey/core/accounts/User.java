package dev.latchkey.core.accounts;

import java.time.Instant;

/**
 * A stored account. {@code id} is an opaque random identifier (the token {@code sub}); the
 * email is already normalized (trimmed, lowercased). {@code disabledAt} is null while the
 * account may log in.
 */
public record User(String id, String email, String role, String passwordHash, Instant createdAt, Instant disabledAt) {

    public boolean disabled() {
        return disabledAt != null;
    }
}
