package dev.latchkey.core.tokens;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerifierFactory;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimNames;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import java.security.Key;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Verifies access tokens issued by {@link AccessTokenIssuer}. Thread-safe; the Nimbus processor
 * is built once.
 *
 * <p>Accepted: a JWS (never JWE or unsecured) of at most {@link #MAX_TOKEN_LENGTH} characters,
 * {@code typ} {@code at+jwt} or {@code application/at+jwt}, whose {@code alg} is one of the
 * current ring's algorithms and equals the algorithm of the key named by {@code kid} in the
 * current ring (keys in the header such as {@code jwk}, {@code jku}, {@code x5u} are ignored),
 * with a valid signature, exact {@code iss}, exactly one {@code aud} equal to ours, the string
 * claims {@code sub, sid, jti, client_id, role}, {@code iat} not in the future (beyond the leeway,
 * and at least two seconds: see {@link RevocationMark}) and {@code exp}
 * (and {@code nbf} when present) checked against the injected clock with the configured leeway.
 *
 * <p>{@link TokenVerification.Expired} is only returned when everything else holds, signature
 * included: a forged expired token is {@link TokenVerification.Invalid}.
 *
 * <p>A client presents the same access token on every call for its whole lifetime, so the verdict
 * on a token that verified is remembered (as API gateways do), keyed by the exact compact string:
 * a token differing in any character, a tampered one included, is a different key and goes
 * through every check. A remembered token is answered without parsing or signature work only
 * while the key ring it was verified against is still the current one (any rotation or reload
 * that builds a new ring forgets it), and its time checks ({@code exp}, {@code nbf}, {@code iat})
 * are made again against the clock on every call. Refusals are never remembered. Revocation is
 * not the verifier's business and is checked by the caller on every call.
 */
public final class AccessTokenVerifier {

    /** Longer inputs are refused without being parsed. */
    public static final int MAX_TOKEN_LENGTH = 8 * 1024;

    static final String CLIENT_ID = "client_id";
    static final String ROLE = "role";
    static final String SESSION_ID = "sid";

    private static final Set<String> REQUIRED_CLAIMS = Set.of(
            JWTClaimNames.ISSUER, JWTClaimNames.AUDIENCE, JWTClaimNames.SUBJECT, JWTClaimNames.JWT_ID,
            JWTClaimNames.ISSUED_AT, JWTClaimNames.EXPIRATION_TIME, CLIENT_ID, ROLE, SESSION_ID);

    /** How many verified tokens are remembered by default: about 1 KiB each. */
    public static final int REMEMBERED_TOKENS = 4096;

    /** A token that passed every check against {@code ring}; {@code notBefore} may be null. */
    private record Verified(KeyRing ring, AccessTokenClaims claims, Instant notBefore) {}

    private final DefaultJWTProcessor<SecurityContext> processor;
    private final Supplier<KeyRing> keys;
    private final Clock clock;
    private final long leewayMillis;
    private final Cache<String, Verified> verified; // null: nothing remembered

    public AccessTokenVerifier(Supplier<KeyRing> keys, TokenSettings settings, Clock clock) {
        this(keys, settings, clock, REMEMBERED_TOKENS);
    }

    /** {@code rememberedTokens}: how many verified tokens to remember (0: none, every call verifies in full). */
    public AccessTokenVerifier(Supplier<KeyRing> keys, TokenSettings settings, Clock clock, int rememberedTokens) {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(clock, "clock");
        this.keys = keys;
        this.clock = clock;
        // none at all for 0: a cache bounded to zero entries still holds each one until its evictor runs
        this.verified = rememberedTokens > 0 ? Caffeine.newBuilder().maximumSize(rememberedTokens).build() : null;
        this.leewayMillis = AccessTokenClaimsVerifier.leewaySeconds(settings) * 1000;
        processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(
                AccessTokenIssuer.ACCESS_TOKEN_TYPE, new JOSEObjectType("application/at+jwt")));
        processor.setJWSKeySelector(new RingKeySelector(keys));
        processor.setJWSVerifierFactory(new RingVerifierFactory(keys));
        processor.setJWTClaimsSetVerifier(new AccessTokenClaimsVerifier(settings, clock));
        // No JWE key selector: encrypted tokens are refused (and never reach the processor anyway).
    }

    /** Never throws, whatever the input. */
    public TokenVerification verify(String compactJwt) {
        if (compactJwt == null || compactJwt.isEmpty()) {
            return new TokenVerification.Invalid("empty token");
        }
        if (compactJwt.length() > MAX_TOKEN_LENGTH) {
            return new TokenVerification.Invalid("token longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        if (!hasThreeParts(compactJwt)) {
            return new TokenVerification.Invalid("not a compact JWS (need exactly three parts)");
        }
        KeyRing ring = keys.get();
        Verified known = verified == null ? null : verified.getIfPresent(compactJwt);
        if (known != null && known.ring() == ring) {
            return recheckTimes(known);
        }
        try {
            // SignedJWT.parse refuses alg "none" and anything that is not a JWS header.
            SignedJWT jwt = SignedJWT.parse(compactJwt);
            JWTClaimsSet claims = processor.process(jwt, null);
            AccessTokenClaims accepted = toClaims(claims);
            Date notBefore = claims.getNotBeforeTime();
            if (verified != null) {
                verified.put(compactJwt, new Verified(ring, accepted, notBefore == null ? null : notBefore.toInstant()));
            }
            return new TokenVerification.Valid(accepted);
        } catch (ExpiredJWTException e) {
            return new TokenVerification.Expired();
        } catch (ParseException e) {
            return new TokenVerification.Invalid("malformed: " + e.getMessage());
        } catch (BadJOSEException | JOSEException e) {
            return new TokenVerification.Invalid(e.getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            return new TokenVerification.Invalid("unreadable token (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * The time checks of a remembered token, as Nimbus makes them: expired once {@code exp} is
     * not after now minus the leeway; refused while {@code nbf} is not before now plus the
     * leeway, or when {@code iat} is further ahead than the claims verifier allows.
     */
    private TokenVerification recheckTimes(Verified known) {
        long now = clock.millis();
        AccessTokenClaims claims = known.claims();
        if (claims.expiresAt().toEpochMilli() <= now - leewayMillis) {
            return new TokenVerification.Expired();
        }
        if (known.notBefore() != null && known.notBefore().toEpochMilli() >= now + leewayMillis) {
            return new TokenVerification.Invalid("JWT before use time");
        }
        if (claims.issuedAt().toEpochMilli() > now + AccessTokenClaimsVerifier.iatAheadSeconds(leewayMillis / 1000) * 1000) {
            return new TokenVerification.Invalid("JWT issued in the future");
        }
        return new TokenVerification.Valid(claims);
    }

    private static boolean hasThreeParts(String s) {
        int dots = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '.' && ++dots > 2) {
                return false;
            }
        }
        return dots == 2;
    }

    private static AccessTokenClaims toClaims(JWTClaimsSet claims) throws ParseException {
        return new AccessTokenClaims(
                claims.getSubject(),
                claims.getStringClaim(SESSION_ID),
                claims.getStringClaim(ROLE),
                claims.getStringClaim(CLIENT_ID),
                claims.getJWTID(),
                claims.getIssueTime().toInstant(),
                claims.getExpirationTime().toInstant());
    }

    /**
     * Looks the key up by {@code kid} in the ring the supplier gives now (rings change on
     * rotation; a {@link KeyRingSource} is asked to look again for a kid it does not hold) and returns it only when the header's {@code alg} is the algorithm that key signs
     * with. Every other header member that could name a key is ignored.
     */
    private static final class RingKeySelector implements JWSKeySelector<SecurityContext> {
        private final Supplier<KeyRing> keys;

        RingKeySelector(Supplier<KeyRing> keys) {
            this.keys = keys;
        }

        @Override
        public List<? extends Key> selectJWSKeys(JWSHeader header, SecurityContext context) {
            KeyRing ring = keys.get();
            JWSAlgorithm alg = header.getAlgorithm();
            KeyRing.Entry entry = ring.entry(header.getKeyID());
            if (entry == null && header.getKeyID() != null && keys instanceof KeyRingSource source) {
                // Perhaps a key rotated in by another instance since this ring was loaded.
                ring = source.refreshFor(header.getKeyID());
                entry = ring.entry(header.getKeyID());
            }
            if (!ring.algorithms().contains(alg)) {
                return List.of();
            }
            if (entry == null || !entry.key().algorithm().equals(alg)) {
                return List.of();
            }
            return List.of(entry.publicKey());
        }
    }

    /**
     * Hands back the verifier the ring built once for the selected key instead of a new one per
     * token. Falls back to Nimbus's factory when the ring rotated between selection and here.
     */
    private static final class RingVerifierFactory implements JWSVerifierFactory {
        private final Supplier<KeyRing> keys;
        private final DefaultJWSVerifierFactory fallback = new DefaultJWSVerifierFactory();

        RingVerifierFactory(Supplier<KeyRing> keys) {
            this.keys = keys;
        }

        @Override
        public JWSVerifier createJWSVerifier(JWSHeader header, Key key) throws JOSEException {
            KeyRing.Entry entry = keys.get().entry(header.getKeyID());
            if (entry != null && entry.publicKey() == key && entry.key().algorithm().equals(header.getAlgorithm())) {
                return entry.verifier();
            }
            return fallback.createJWSVerifier(header, key);
        }

        @Override
        public Set<JWSAlgorithm> supportedJWSAlgorithms() {
            return fallback.supportedJWSAlgorithms();
        }

        @Override
        public JCAContext getJCAContext() {
            return fallback.getJCAContext();
        }
    }

    /**
     * Nimbus's claims verifier with the time taken from the injected {@link Clock} (by overriding
     * {@code currentTime()}) and extra checks that run before Nimbus's own, so that its
     * expiry check, which comes last, only fires on an otherwise valid token.
     */
    private static final class AccessTokenClaimsVerifier extends DefaultJWTClaimsVerifier<SecurityContext> {
        private final Clock clock;
        private final long leewaySeconds;

        AccessTokenClaimsVerifier(TokenSettings settings, Clock clock) {
            super(Set.of(settings.audience()),
                    new JWTClaimsSet.Builder().issuer(settings.issuer()).build(),
                    REQUIRED_CLAIMS,
                    null);
            this.clock = clock;
            this.leewaySeconds = leewaySeconds(settings);
            setMaxClockSkew((int) leewaySeconds);
        }

        /** How far ahead of the clock an {@code iat} may be: the leeway, and at least two seconds. */
        static long iatAheadSeconds(long leewaySeconds) {
            return Math.max(RevocationMark.MAX_IAT_AHEAD_SECONDS, leewaySeconds);
        }

        static long leewaySeconds(TokenSettings settings) {
            long seconds = settings.clockLeeway().getSeconds();
            return settings.clockLeeway().getNano() > 0 ? seconds + 1 : seconds;
        }

        @Override
        protected Date currentTime() {
            return Date.from(clock.instant());
        }

        @Override
        public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
            List<String> audience = claims.getAudience();
            if (audience == null || audience.size() != 1) {
                throw new BadJWTException("JWT aud must be exactly one value");
            }
            for (String name : List.of(JWTClaimNames.SUBJECT, JWTClaimNames.JWT_ID, SESSION_ID, ROLE, CLIENT_ID)) {
                requireNonBlankString(claims, name);
            }
            Date issuedAt = claims.getIssueTime();
            if (issuedAt == null) {
                throw new BadJWTException("JWT missing required claims: [iat]");
            }
            // At least two seconds: a token issued right after its user's revocation mark carries
            // iat = the mark rounded up to the second (see RevocationMark), even with no leeway.
            Instant latestAcceptable = clock.instant().plusSeconds(iatAheadSeconds(leewaySeconds));
            if (issuedAt.toInstant().isAfter(latestAcceptable)) {
                throw new BadJWTException("JWT issued in the future");
            }
            super.verify(claims, context);
        }

        private static void requireNonBlankString(JWTClaimsSet claims, String name) throws BadJWTException {
            Object value = claims.getClaim(name);
            if (value == null) {
                throw new BadJWTException("JWT missing required claims: [" + name + "]");
            }
            if (!(value instanceof String s) || s.isBlank()) {
                throw new BadJWTException("JWT claim " + name + " must be a non-blank string");
            }
        }
    }
}
