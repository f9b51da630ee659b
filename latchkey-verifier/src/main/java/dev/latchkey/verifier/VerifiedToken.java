package dev.latchkey.verifier;

import java.security.Principal;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A Latchkey access token that passed every check. It is the request's principal: its name is
 * the subject, Latchkey's opaque user id (never the email).
 *
 * @param subject {@code sub}, the user id
 * @param sessionId {@code sid}, the Latchkey session the token was issued for
 * @param role {@code role}, e.g. {@code user} or {@code admin}
 * @param clientId {@code client_id} (RFC 9068)
 * @param jti {@code jti}
 * @param issuedAt {@code iat}
 * @param expiresAt {@code exp}
 * @param claims every claim as JSON types (times as epoch seconds), unmodifiable
 */
public record VerifiedToken(String subject, String sessionId, String role, String clientId, String jti,
                            Instant issuedAt, Instant expiresAt, Map<String, Object> claims) implements Principal {

    public VerifiedToken {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(role, "role");
        claims = claims == null ? Map.of() : claims;
    }

    /** The subject. */
    @Override
    public String getName() {
        return subject;
    }

    public boolean hasRole(String wanted) {
        return role.equals(wanted);
    }
}
