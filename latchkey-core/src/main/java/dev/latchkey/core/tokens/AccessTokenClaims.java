package dev.latchkey.core.tokens;

import java.time.Instant;

/** The verified claims of an access token. */
public record AccessTokenClaims(String subject, String sessionId, String role, String clientId, String jti,
                                Instant issuedAt, Instant expiresAt) {
}
