package dev.latchkey.core.tokens;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Signs RFC 9068 access tokens with the current key of the ring: header {@code alg}, {@code kid},
 * {@code typ: at+jwt}; claims exactly {@code iss, aud, sub, client_id, role, sid, jti, iat, exp}.
 * No personal data goes into a token. Thread-safe.
 */
public final class AccessTokenIssuer {

    /** The {@code typ} header of access tokens (RFC 9068, section 2.1). */
    public static final JOSEObjectType ACCESS_TOKEN_TYPE = new JOSEObjectType("at+jwt");

    private static final int JTI_BYTES = 16;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final Supplier<KeyRing> keys;
    private final TokenSettings settings;
    private final Clock clock;
    private final SecureRandom random;

    public AccessTokenIssuer(Supplier<KeyRing> keys, TokenSettings settings, Clock clock) {
        this(keys, settings, clock, new SecureRandom());
    }

    public AccessTokenIssuer(Supplier<KeyRing> keys, TokenSettings settings, Clock clock, SecureRandom random) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * Signs a token for the user (opaque id, never the email) in the given session.
     *
     * @throws IllegalArgumentException when an argument is blank
     */
    public IssuedAccessToken issue(String userId, String role, String sessionId) {
        return issue(userId, role, sessionId, null);
    }

    /**
     * Signs a token whose {@code iat} is not before {@code notBefore} rounded up to the second
     * (the user's revocation mark, null for none; see {@link RevocationMark}), and
     * {@code exp = iat + ttl}. With a mark in the current second, {@code iat} is up to one second
     * ahead of the clock, which the verifier tolerates.
     *
     * @throws IllegalArgumentException when an argument is blank
     */
    public IssuedAccessToken issue(String userId, String role, String sessionId, Instant notBefore) {
        requireText(userId, "userId");
        requireText(role, "role");
        requireText(sessionId, "sessionId");

        KeyRing.Entry signing = keys.get().currentEntry();
        SigningKey key = signing.key();
        Instant issuedAt = RevocationMark.issuedAt(clock.instant(), notBefore);
        Instant expiresAt = issuedAt.plusSeconds(settings.accessTokenTtl().getSeconds());
        String jti = newJti();

        JWSHeader header = new JWSHeader.Builder(key.algorithm())
                .keyID(key.kid())
                .type(ACCESS_TOKEN_TYPE)
                .build();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(settings.issuer())
                .audience(settings.audience())
                .subject(userId)
                .claim(AccessTokenVerifier.CLIENT_ID, settings.clientId())
                .claim(AccessTokenVerifier.ROLE, role)
                .claim(AccessTokenVerifier.SESSION_ID, sessionId)
                .jwtID(jti)
                .issueTime(Date.from(issuedAt))
                .expirationTime(Date.from(expiresAt))
                .build();
        SignedJWT jwt = new SignedJWT(header, claims);
        try {
            jwt.sign(signing.signer());
        } catch (JOSEException e) {
            throw new IllegalStateException("Could not sign an access token with key " + key.kid(), e);
        }
        return new IssuedAccessToken(jwt.serialize(), jti, issuedAt, expiresAt);
    }

    private String newJti() {
        byte[] bytes = new byte[JTI_BYTES];
        random.nextBytes(bytes);
        return ENCODER.encodeToString(bytes);
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }
}
