package dev.latchkey.core.tokens;

import java.time.Duration;
import java.util.Objects;

/**
 * What issued access tokens say and how long they live.
 *
 * @param issuer         exact {@code iss}
 * @param audience       exact {@code aud} (a single string)
 * @param clientId       {@code client_id} (RFC 9068)
 * @param accessTokenTtl lifetime of an access token, whole seconds count ({@code exp = iat + ttl})
 * @param clockLeeway    clock skew tolerated when checking {@code exp} and {@code nbf}; whole seconds
 */
public record TokenSettings(String issuer, String audience, String clientId, Duration accessTokenTtl, Duration clockLeeway) {

    public static final Duration DEFAULT_ACCESS_TOKEN_TTL = Duration.ofMinutes(15);
    public static final Duration DEFAULT_CLOCK_LEEWAY = Duration.ofSeconds(30);
    public static final String DEFAULT_AUDIENCE = "latchkey";
    public static final String DEFAULT_CLIENT_ID = "latchkey-web";

    public TokenSettings {
        requireText(issuer, "issuer");
        requireText(audience, "audience");
        requireText(clientId, "clientId");
        Objects.requireNonNull(accessTokenTtl, "accessTokenTtl");
        Objects.requireNonNull(clockLeeway, "clockLeeway");
        if (accessTokenTtl.getSeconds() < 1) {
            throw new IllegalArgumentException("accessTokenTtl must be at least one second");
        }
        if (clockLeeway.isNegative() || clockLeeway.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("clockLeeway must be between 0 and 5 minutes");
        }
    }

    /** Defaults: 15 minute tokens, 30 s leeway. */
    public static TokenSettings of(String issuer, String audience, String clientId) {
        return new TokenSettings(issuer, audience, clientId, DEFAULT_ACCESS_TOKEN_TTL, DEFAULT_CLOCK_LEEWAY);
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }
}
