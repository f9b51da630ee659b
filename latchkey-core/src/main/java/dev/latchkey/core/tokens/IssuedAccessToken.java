package dev.latchkey.core.tokens;

import java.time.Instant;

/** A freshly signed access token (compact JWS) with its id and validity window (seconds precision). */
public record IssuedAccessToken(String value, String jti, Instant issuedAt, Instant expiresAt) {
    @Override
    public String toString() {
        return "IssuedAccessToken[jti=" + jti + ", issuedAt=" + issuedAt + ", expiresAt=" + expiresAt + "]";
    }
}
