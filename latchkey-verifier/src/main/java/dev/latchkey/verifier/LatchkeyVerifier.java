package dev.latchkey.verifier;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.Key;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies Latchkey access tokens in a resource server, with nothing but the issuer's published
 * JWKS: no call to Latchkey per request. Build one per issuer and share it; it is thread-safe.
 *
 * <pre>{@code
 * LatchkeyVerifier verifier = LatchkeyVerifier.builder()
 *         .issuer("https://auth.example.com")
 *         .audience("latchkey")
 *         .build();
 * VerifiedToken token = verifier.verify(bearerToken); // or TokenRejectedException
 * }</pre>
 *
 * <p>A token is accepted only when it is a compact JWS (never unsecured, never JWE) of at most
 * {@value #MAX_TOKEN_LENGTH} characters; its {@code alg} is one of the configured algorithms
 * (asymmetric only; {@code RS256} by default) and fits the type of the published key its
 * {@code kid} names (keys or URLs in the header itself, {@code jwk}, {@code jku}, {@code x5u},
 * are ignored); the signature holds; {@code typ} is {@code at+jwt} or {@code application/at+jwt}
 * (RFC 9068); {@code iss} equals the issuer exactly; {@code aud} contains the audience; the
 * string claims {@code sub, sid, jti, client_id, role} are present and not blank; {@code iat} is
 * not in the future and {@code exp} is not past, and {@code nbf} when present is not in the
 * future, each with the clock leeway. {@link TokenRejectedException.Reason#EXPIRED} is only
 * given for a token that passes everything else, signature included: a forged expired token is
 * {@link TokenRejectedException.Reason#INVALID}.
 *
 * <p>Latchkey's own routes also refuse tokens of revoked sessions ({@code TOKEN_REVOKED}); a
 * stateless verifier cannot know about those, which is why access tokens live only minutes.
 */
public final class LatchkeyVerifier {

    /** Longer inputs are refused without being parsed. */
    public static final int MAX_TOKEN_LENGTH = 8 * 1024;

    /** Algorithms that may be allowed: asymmetric JWS algorithms Nimbus verifies without extra libraries. */
    public static final Set<JWSAlgorithm> SUPPORTED_ALGORITHMS = Collections.unmodifiableSet(new LinkedHashSet<>(List.of(
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512)));

    static final Duration MAX_LEEWAY = Duration.ofMinutes(5);
    private static final List<String> REQUIRED_STRING_CLAIMS = List.of("sub", "sid", "jti", "client_id", "role");

    private final String issuer;
    private final String audience;
    private final Set<JWSAlgorithm> algorithms;
    private final Duration leeway;
    private final Clock clock;
    private final RemoteJwks jwks;
    private final DefaultJWTProcessor<SecurityContext> processor;

    private LatchkeyVerifier(Builder b) {
        this.issuer = b.issuer;
        this.audience = b.audience;
        this.algorithms = Set.copyOf(b.algorithms);
        this.leeway = b.clockLeeway;
        this.clock = b.clock;
        HttpClient http = b.httpClient != null ? b.httpClient : HttpClient.newBuilder()
                .connectTimeout(b.requestTimeout).followRedirects(HttpClient.Redirect.NEVER).build();
        this.jwks = new RemoteJwks(issuer, b.jwksUri, http, b.requestTimeout, b.refetchInterval, b.defaultCacheDuration,
                clock);
        DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
        p.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(
                new JOSEObjectType("at+jwt"), new JOSEObjectType("application/at+jwt")));
        p.setJWSKeySelector(new PublishedKeySelector());
        p.setJWTClaimsSetVerifier(new AccessTokenClaimsVerifier());
        // No JWE key selector: encrypted tokens are refused (and never reach the processor anyway).
        this.processor = p;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Verifies a compact access token (without the {@code Bearer } prefix).
     *
     * @throws TokenRejectedException when the token must not be trusted; its reason is
     *     {@code MISSING} for a null or empty token, {@code EXPIRED} or {@code INVALID} otherwise
     * @throws JwksUnavailableException when the issuer's keys could not be fetched (not the token's fault)
     */
    public VerifiedToken verify(String token) throws TokenRejectedException {
        if (token == null || token.isEmpty()) {
            throw new TokenRejectedException(TokenRejectedException.Reason.MISSING, "no token");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw invalid("token longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        if (!hasThreeParts(token)) {
            throw invalid("not a compact JWS (need exactly three parts)");
        }
        JWTClaimsSet claims;
        try {
            // SignedJWT.parse refuses alg "none" and anything that is not a JWS header.
            claims = processor.process(SignedJWT.parse(token), null);
        } catch (ExpiredJWTException e) {
            throw new TokenRejectedException(TokenRejectedException.Reason.EXPIRED, e.getMessage());
        } catch (ParseException e) {
            throw invalid("malformed: " + e.getMessage());
        } catch (BadJOSEException | JOSEException e) {
            throw invalid(e.getMessage());
        } catch (JwksUnavailableException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw invalid("unreadable token (" + e.getClass().getSimpleName() + ")");
        }
        try {
            return new VerifiedToken(claims.getSubject(), claims.getStringClaim("sid"), claims.getStringClaim("role"),
                    claims.getStringClaim("client_id"), claims.getJWTID(), claims.getIssueTime().toInstant(),
                    claims.getExpirationTime().toInstant(), Collections.unmodifiableMap(new LinkedHashMap<>(claims.toJSONObject())));
        } catch (ParseException e) {
            throw invalid("malformed claims: " + e.getMessage()); // unreachable: the claims verifier checked the types
        }
    }

    public String issuer() {
        return issuer;
    }

    public String audience() {
        return audience;
    }

    public Set<JWSAlgorithm> algorithms() {
        return algorithms;
    }

    private static TokenRejectedException invalid(String message) {
        return new TokenRejectedException(TokenRejectedException.Reason.INVALID, message);
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

    /**
     * The published key named by {@code kid}, only when the header's {@code alg} is allowed, the
     * key is meant for signatures and is of the type (and curve) that algorithm needs.
     */
    private final class PublishedKeySelector implements JWSKeySelector<SecurityContext> {
        @Override
        public List<? extends Key> selectJWSKeys(JWSHeader header, SecurityContext context) throws KeySourceException {
            JWSAlgorithm alg = header.getAlgorithm();
            String kid = header.getKeyID();
            if (!algorithms.contains(alg) || kid == null || kid.isEmpty()) {
                return List.of();
            }
            JWK jwk = jwks.key(kid);
            if (jwk == null || (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse()))
                    || (jwk.getAlgorithm() != null && !jwk.getAlgorithm().equals(alg))) {
                return List.of();
            }
            try {
                if (JWSAlgorithm.Family.RSA.contains(alg) && jwk instanceof RSAKey rsa) {
                    return List.of(rsa.toRSAPublicKey());
                }
                if (JWSAlgorithm.Family.EC.contains(alg) && jwk instanceof ECKey ec
                        && Curve.forJWSAlgorithm(alg).contains(ec.getCurve())) {
                    return List.of(ec.toECPublicKey());
                }
            } catch (JOSEException e) {
                throw new KeySourceException("unusable published key " + kid + ": " + e.getMessage(), e);
            }
            return List.of();
        }
    }

    /**
     * Every claim check, with time from the injected clock. {@code exp} is checked last, so that
     * "expired" is only said of an otherwise valid token.
     */
    private final class AccessTokenClaimsVerifier implements JWTClaimsSetVerifier<SecurityContext> {
        @Override
        public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
            if (!issuer.equals(claims.getIssuer())) {
                throw new BadJWTException("JWT iss " + claims.getIssuer() + " is not " + issuer);
            }
            List<String> aud = claims.getAudience();
            if (aud == null || !aud.contains(audience)) {
                throw new BadJWTException("JWT aud " + aud + " does not contain " + audience);
            }
            for (String name : REQUIRED_STRING_CLAIMS) {
                Object value = claims.getClaim(name);
                if (!(value instanceof String s) || s.isBlank()) {
                    throw new BadJWTException("JWT claim " + name + " missing or not a non-blank string");
                }
            }
            Instant now = clock.instant();
            Date iat = dateClaim(claims, "iat");
            Date exp = dateClaim(claims, "exp");
            if (iat == null || exp == null) {
                throw new BadJWTException("JWT missing required claims: iat and exp");
            }
            if (iat.toInstant().isAfter(now.plus(leeway))) {
                throw new BadJWTException("JWT issued in the future");
            }
            Date nbf = dateClaim(claims, "nbf");
            if (nbf != null && nbf.toInstant().isAfter(now.plus(leeway))) {
                throw new BadJWTException("JWT before its use time (nbf)");
            }
            if (!exp.toInstant().isAfter(now.minus(leeway))) {
                throw new ExpiredJWTException("Expired JWT");
            }
        }

        private static Date dateClaim(JWTClaimsSet claims, String name) throws BadJWTException {
            try {
                return claims.getDateClaim(name);
            } catch (ParseException e) {
                throw new BadJWTException("JWT claim " + name + " is not a NumericDate");
            }
        }
    }

    /** Configures a {@link LatchkeyVerifier}; only {@link #issuer} is required. */
    public static final class Builder {
        private String issuer;
        private String audience = "latchkey";
        private URI jwksUri;
        private Set<JWSAlgorithm> algorithms = Set.of(JWSAlgorithm.RS256);
        private Duration clockLeeway = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();
        private Duration refetchInterval = Duration.ofSeconds(30);
        private Duration defaultCacheDuration = Duration.ofMinutes(5);
        private Duration requestTimeout = Duration.ofSeconds(5);
        private HttpClient httpClient;

        private Builder() {}

        /** Latchkey's {@code LATCHKEY_ISSUER}, e.g. {@code https://auth.example.com}; {@code iss} must equal it exactly. */
        public Builder issuer(String issuer) {
            this.issuer = Objects.requireNonNull(issuer, "issuer");
            return this;
        }

        /** Latchkey's {@code LATCHKEY_AUDIENCE}; {@code aud} must contain it. Default {@code latchkey}. */
        public Builder audience(String audience) {
            this.audience = Objects.requireNonNull(audience, "audience");
            return this;
        }

        /**
         * Where the keys are. Default: the {@code jwks_uri} of the issuer's
         * {@code /.well-known/openid-configuration} (whose {@code issuer} must match), or
         * {@code <issuer>/.well-known/jwks.json} when there is no such document.
         */
        public Builder jwksUri(String jwksUri) {
            this.jwksUri = URI.create(Objects.requireNonNull(jwksUri, "jwksUri"));
            return this;
        }

        /** Accepted {@code alg} values; default {@code RS256}. Only asymmetric ones ({@link #SUPPORTED_ALGORITHMS}). */
        public Builder algorithms(JWSAlgorithm... algorithms) {
            this.algorithms = Set.of(algorithms);
            return this;
        }

        /** Clock skew tolerated on {@code exp}, {@code nbf} and {@code iat}; default 30 s, at most 5 min. */
        public Builder clockLeeway(Duration leeway) {
            this.clockLeeway = Objects.requireNonNull(leeway, "leeway");
            return this;
        }

        /** Time for the token checks and the key cache; default the system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The least time between two fetches of the keys, whatever prompts them (a token naming an
         * unknown {@code kid}, a failed fetch); also the shortest time a fetched JWKS is kept.
         * Default 30 s.
         */
        public Builder refetchInterval(Duration interval) {
            this.refetchInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /** How long a JWKS is kept when its response has no {@code Cache-Control: max-age}; default 5 min. */
        public Builder defaultCacheDuration(Duration duration) {
            this.defaultCacheDuration = Objects.requireNonNull(duration, "duration");
            return this;
        }

        /** Connect and response timeout of a key fetch when no {@link #httpClient} is given; default 5 s. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** The client that fetches the keys (proxy, TLS settings); default a new one that follows no redirects. */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
            return this;
        }

        /** @throws IllegalArgumentException naming what is wrong */
        public LatchkeyVerifier build() {
            if (issuer == null || issuer.isBlank()) {
                throw new IllegalArgumentException("issuer is required");
            }
            URI issuerUri = URI.create(issuer);
            if (!"https".equalsIgnoreCase(issuerUri.getScheme()) && !"http".equalsIgnoreCase(issuerUri.getScheme())) {
                throw new IllegalArgumentException("issuer must be an http(s) URL: " + issuer);
            }
            if (jwksUri != null && !"https".equalsIgnoreCase(jwksUri.getScheme())
                    && !"http".equalsIgnoreCase(jwksUri.getScheme())) {
                throw new IllegalArgumentException("jwksUri must be an http(s) URL: " + jwksUri);
            }
            if (audience.isBlank()) {
                throw new IllegalArgumentException("audience must not be blank");
            }
            if (algorithms.isEmpty()) {
                throw new IllegalArgumentException("at least one algorithm is needed");
            }
            for (JWSAlgorithm alg : algorithms) {
                if (!SUPPORTED_ALGORITHMS.contains(alg)) {
                    throw new IllegalArgumentException("algorithm " + alg + " is not allowed; choose among "
                            + SUPPORTED_ALGORITHMS);
                }
            }
            if (clockLeeway.isNegative() || clockLeeway.compareTo(MAX_LEEWAY) > 0) {
                throw new IllegalArgumentException("clockLeeway must be between 0 and " + MAX_LEEWAY);
            }
            if (refetchInterval.isNegative() || refetchInterval.isZero()) {
                throw new IllegalArgumentException("refetchInterval must be positive");
            }
            if (defaultCacheDuration.isNegative() || requestTimeout.isNegative() || requestTimeout.isZero()) {
                throw new IllegalArgumentException("defaultCacheDuration and requestTimeout must not be negative");
            }
            return new LatchkeyVerifier(this);
        }
    }
}
