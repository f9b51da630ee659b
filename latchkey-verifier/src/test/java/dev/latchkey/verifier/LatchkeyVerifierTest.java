package dev.latchkey.verifier;

import dev.latchkey.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.latchkey.verifier.TokenRejectedException.Reason;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The verifier's checks and its key cache, against a stand-in issuer whose keys the test holds. */
class LatchkeyVerifierTest {
    private static final RSAKey KEY = Tokens.rsaKey("key-1");

    private final MutableClock clock = MutableClock.now();
    private StandInJwks issuer;
    private LatchkeyVerifier verifier;

    @BeforeEach
    void start() {
        issuer = new StandInJwks();
        issuer.publish(new JWKSet(KEY));
        verifier = verifier().build();
    }

    @AfterEach
    void stop() {
        issuer.close();
    }

    private LatchkeyVerifier.Builder verifier() {
        return LatchkeyVerifier.builder().issuer(issuer.issuer()).audience("latchkey").jwksUri(issuer.jwksUri()).clock(clock);
    }

    private String token() {
        return Tokens.sign(KEY, issuer.issuer(), clock.instant());
    }

    private Reason rejection(LatchkeyVerifier v, String token) {
        try {
            v.verify(token);
        } catch (TokenRejectedException e) {
            return e.reason();
        }
        throw new AssertionError("accepted: " + token);
    }

    private Reason rejection(String token) {
        return rejection(verifier, token);
    }

    @Test
    void acceptsAWellFormedTokenAndReturnsItsClaims() throws Exception {
        Instant now = clock.instant();
        String token = Tokens.sign(KEY, issuer.issuer(), now, c -> c.subject("u-42").claim("role", "admin").claim("sid", "s-1")
                .jwtID("j-1"));

        VerifiedToken verified = verifier.verify(token);

        assertThat(verified.subject()).isEqualTo("u-42");
        assertThat(verified.getName()).isEqualTo("u-42");
        assertThat(verified.role()).isEqualTo("admin");
        assertThat(verified.hasRole("admin")).isTrue();
        assertThat(verified.sessionId()).isEqualTo("s-1");
        assertThat(verified.clientId()).isEqualTo("latchkey-web");
        assertThat(verified.jti()).isEqualTo("j-1");
        assertThat(verified.issuedAt()).isEqualTo(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        assertThat(verified.expiresAt()).isEqualTo(verified.issuedAt().plusSeconds(900));
        assertThat(verified.claims()).containsEntry("iss", issuer.issuer()).containsEntry("client_id", "latchkey-web");
        assertThatThrownBy(() -> verified.claims().put("role", "root")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void typMustBeAtJwt() {
        assertThat(verifierAccepts(Tokens.header(KEY).type(new JOSEObjectType("application/at+jwt")).build())).isTrue();
        assertThat(verifierAccepts(Tokens.header(KEY).type(JOSEObjectType.JWT).build())).isFalse();
        assertThat(verifierAccepts(Tokens.header(KEY).type(null).build())).isFalse();
    }

    private boolean verifierAccepts(JWSHeader header) {
        try {
            verifier.verify(Tokens.sign(KEY, header, Tokens.claims(issuer.issuer(), clock.instant()).build()));
            return true;
        } catch (TokenRejectedException e) {
            assertThat(e.reason()).isEqualTo(Reason.INVALID);
            return false;
        }
    }

    @Test
    void issuerMustMatchExactlyAndAudienceMustBeAmongTheAudiences() throws Exception {
        Instant now = clock.instant();
        assertThat(rejection(Tokens.sign(KEY, issuer.issuer() + "/", now))).isEqualTo(Reason.INVALID);
        assertThat(rejection(Tokens.sign(KEY, "http://evil.example", now))).isEqualTo(Reason.INVALID);
        assertThat(rejection(Tokens.sign(KEY, issuer.issuer(), now, c -> c.audience("other-api")))).isEqualTo(Reason.INVALID);
        assertThat(rejection(Tokens.sign(KEY, issuer.issuer(), now, c -> c.audience((String) null)))).isEqualTo(Reason.INVALID);
        assertThat(verifier.verify(Tokens.sign(KEY, issuer.issuer(), now, c -> c.audience(List.of("other-api", "latchkey")))))
                .isNotNull();
        LatchkeyVerifier otherAudience = verifier().audience("billing").build();
        assertThat(rejection(otherAudience, token())).isEqualTo(Reason.INVALID);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sub", "sid", "jti", "client_id", "role", "iat", "exp"})
    void everyRequiredClaimMustBeThere(String claim) {
        String token = Tokens.sign(KEY, issuer.issuer(), clock.instant(), c -> c.claim(claim, null));
        assertThat(rejection(token)).isEqualTo(Reason.INVALID);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sub", "sid", "jti", "client_id", "role"})
    void stringClaimsMustBeNonBlankStrings(String claim) {
        assertThat(rejection(Tokens.sign(KEY, issuer.issuer(), clock.instant(), c -> c.claim(claim, " ")))).isEqualTo(Reason.INVALID);
        assertThat(rejection(Tokens.sign(KEY, issuer.issuer(), clock.instant(), c -> c.claim(claim, List.of("x")))))
                .isEqualTo(Reason.INVALID);
        if (!claim.equals("sub")) { // Nimbus reads a numeric sub as its decimal string
            assertThat(rejection(Tokens.sign(KEY, issuer.issuer(), clock.instant(), c -> c.claim(claim, 42))))
                    .isEqualTo(Reason.INVALID);
        }
    }

    @Test
    void timesAreCheckedWithTheLeewayAndExpiredIsSaidOnlyOfOtherwiseValidTokens() throws Exception {
        Instant now = clock.instant();
        Date tenSecondsAgo = Date.from(now.minusSeconds(10));
        Date minuteAgo = Date.from(now.minusSeconds(60));
        Date minuteAhead = Date.from(now.plusSeconds(60));
        LatchkeyVerifier strict = verifier().clockLeeway(Duration.ZERO).build();

        String expiredTenSecondsAgo = Tokens.sign(KEY, issuer.issuer(), now, c -> c.issueTime(minuteAgo).expirationTime(tenSecondsAgo));
        assertThat(verifier.verify(expiredTenSecondsAgo)).isNotNull(); // within the default 30 s leeway
        assertThat(rejection(strict, expiredTenSecondsAgo)).isEqualTo(Reason.EXPIRED);
        assertThat(rejection(Tokens.sign(KEY, issuer.issuer(), now, c -> c.issueTime(Date.from(now.minusSeconds(999)))
                .expirationTime(minuteAgo)))).isEqualTo(Reason.EXPIRED);

        assertThat(rejection(Tokens.sign(KEY, issuer.issuer(), now, c -> c.notBeforeTime(minuteAhead)))).isEqualTo(Reason.INVALID);
        assertThat(verifier.verify(Tokens.sign(KEY, issuer.issuer(), now, c -> c.notBeforeTime(Date.from(now.plusSeconds(10))))))
                .isNotNull();
        assertThat(rejection(Tokens.sign(KEY, issuer.issuer(), now, c -> c.issueTime(minuteAhead)))).isEqualTo(Reason.INVALID);

        // The verifier's clock decides, not the machine's.
        String fresh = token();
        clock.advance(Duration.ofMinutes(16));
        assertThat(rejection(fresh)).isEqualTo(Reason.EXPIRED);
    }

    @Test
    void aForgedOrWronglyTypedExpiredTokenIsInvalidNotExpired() {
        Instant past = clock.instant().minus(Duration.ofHours(1));
        RSAKey attacker = Tokens.rsaKey(KEY.getKeyID());
        assertThat(rejection(Tokens.sign(attacker, issuer.issuer(), past))).isEqualTo(Reason.INVALID);
        assertThat(rejection(Tokens.sign(KEY, Tokens.header(KEY).type(JOSEObjectType.JWT).build(),
                Tokens.claims(issuer.issuer(), past).build()))).isEqualTo(Reason.INVALID);
        assertThat(rejection(Tokens.sign(KEY, issuer.issuer(), past, c -> c.audience("other")))).isEqualTo(Reason.INVALID);
        assertThat(rejection(Tokens.sign(KEY, issuer.issuer(), past))).isEqualTo(Reason.EXPIRED);
    }

    @Test
    void refusesForgeries() throws Exception {
        JWTClaimsSet claims = Tokens.claims(issuer.issuer(), clock.instant()).build();
        // another key under the published kid, even when the header carries the attacker's key
        RSAKey attacker = Tokens.rsaKey(KEY.getKeyID());
        assertThat(rejection(Tokens.sign(attacker, Tokens.header(KEY).build(), claims))).isEqualTo(Reason.INVALID);
        assertThat(rejection(Tokens.sign(attacker, Tokens.header(KEY).jwk(attacker.toPublicJWK())
                .jwkURL(URI.create("http://evil.example/jwks")).build(), claims))).isEqualTo(Reason.INVALID);
        // alg none, with and without a signature part
        String unsecured = new PlainJWT(new PlainHeader.Builder().type(new JOSEObjectType("at+jwt")).build(), claims).serialize();
        assertThat(rejection(unsecured)).isEqualTo(Reason.INVALID);
        assertThat(rejection(unsecured + token().split("\\.")[2])).isEqualTo(Reason.INVALID);
        // HS256 keyed with the published public key
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(KEY.getKeyID())
                .type(new JOSEObjectType("at+jwt")).build(), claims);
        hmac.sign(new MACSigner(KEY.toRSAPublicKey().getEncoded()));
        assertThat(rejection(hmac.serialize())).isEqualTo(Reason.INVALID);
        // no kid
        assertThat(rejection(Tokens.sign(KEY, Tokens.header(KEY).keyID(null).build(), claims))).isEqualTo(Reason.INVALID);
        // encrypted (JWE) with the published key
        EncryptedJWT jwe = new EncryptedJWT(new JWEHeader.Builder(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A128GCM)
                .keyID(KEY.getKeyID()).type(new JOSEObjectType("at+jwt")).build(), claims);
        jwe.encrypt(new RSAEncrypter(KEY.toRSAPublicKey()));
        assertThat(rejection(jwe.serialize())).isEqualTo(Reason.INVALID);
    }

    @Test
    void refusesTamperingAndGarbage() {
        String[] parts = token().split("\\.");
        String otherPayload = Tokens.sign(KEY, issuer.issuer(), clock.instant(), c -> c.claim("role", "admin")).split("\\.")[1];
        assertThat(rejection(parts[0] + "." + otherPayload + "." + parts[2])).isEqualTo(Reason.INVALID);
        char last = parts[2].charAt(10);
        String flipped = parts[2].substring(0, 10) + (last == 'A' ? 'B' : 'A') + parts[2].substring(11);
        assertThat(rejection(parts[0] + "." + parts[1] + "." + flipped)).isEqualTo(Reason.INVALID);
        for (String garbage : List.of("x", "a.b.c", "...", "a.b.c.d.e", "Bearer " + token(), "é.é.é", "e30.e30.e30")) {
            assertThat(rejection(garbage)).as(garbage).isEqualTo(Reason.INVALID);
        }
        assertThat(rejection("a".repeat(LatchkeyVerifier.MAX_TOKEN_LENGTH + 1))).isEqualTo(Reason.INVALID);
        assertThat(rejection((String) null)).isEqualTo(Reason.MISSING);
        assertThat(rejection("")).isEqualTo(Reason.MISSING);
    }

    @Test
    void onlyTheConfiguredAlgorithmsAndMatchingKeyTypesAreAccepted() throws Exception {
        ECKey ec = Tokens.ecKey("ec-1");
        issuer.publish(new JWKSet(List.of(KEY, ec)));
        String es256 = Tokens.sign(ec, issuer.issuer(), clock.instant());

        assertThat(rejection(es256)).isEqualTo(Reason.INVALID); // RS256 only by default
        LatchkeyVerifier both = verifier().algorithms(JWSAlgorithm.RS256, JWSAlgorithm.ES256).build();
        assertThat(both.verify(es256).subject()).startsWith("user-");
        assertThat(both.verify(token())).isNotNull();
        // an alg that does not fit the published key named by kid
        String es256UnderRsaKid = Tokens.sign(ec, new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(KEY.getKeyID())
                .type(new JOSEObjectType("at+jwt")).build(), Tokens.claims(issuer.issuer(), clock.instant()).build());
        assertThat(rejection(both, es256UnderRsaKid)).isEqualTo(Reason.INVALID);
        // RS384 signed by the right key, but the key is published for RS256 only
        SignedJWT rs384 = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS384).keyID(KEY.getKeyID())
                .type(new JOSEObjectType("at+jwt")).build(), Tokens.claims(issuer.issuer(), clock.instant()).build());
        rs384.sign(new com.nimbusds.jose.crypto.RSASSASigner(KEY));
        assertThat(rejection(verifier().algorithms(JWSAlgorithm.RS256, JWSAlgorithm.RS384).build(), rs384.serialize()))
                .isEqualTo(Reason.INVALID);
    }

    @Test
    void builderRefusesWeakOrOddSettings() {
        assertThatThrownBy(() -> LatchkeyVerifier.builder().build()).hasMessageContaining("issuer");
        assertThatThrownBy(() -> LatchkeyVerifier.builder().issuer("localhost:8080").build()).hasMessageContaining("http");
        assertThatThrownBy(() -> verifier().algorithms(JWSAlgorithm.HS256).build()).hasMessageContaining("HS256");
        assertThatThrownBy(() -> verifier().algorithms().build()).hasMessageContaining("algorithm");
        assertThatThrownBy(() -> verifier().clockLeeway(Duration.ofMinutes(6)).build()).hasMessageContaining("clockLeeway");
        assertThatThrownBy(() -> verifier().refetchInterval(Duration.ZERO).build()).hasMessageContaining("refetchInterval");
    }

    @Test
    void aFloodOfUnknownKidsCostsOneFetchPerInterval() throws Exception {
        assertThat(verifier.verify(token())).isNotNull();
        assertThat(issuer.jwksFetches()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(31));

        // 1,000 tokens naming kids nobody published, from 16 threads at once (the signature never
        // gets looked at: no key is found for it).
        String[] valid = token().split("\\.");
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            List<Future<Reason>> results = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                String header = Tokens.header(KEY).keyID("bogus-" + UUID.randomUUID()).build().toBase64URL().toString();
                String token = header + "." + valid[1] + "." + valid[2];
                results.add(pool.submit(() -> rejection(token)));
            }
            for (Future<Reason> result : results) {
                assertThat(result.get()).isEqualTo(Reason.INVALID);
            }
        }
        assertThat(issuer.jwksFetches()).isEqualTo(2); // one refetch for the first unknown kid, none for the others

        clock.advance(Duration.ofSeconds(29));
        assertThat(rejection(Tokens.sign(KEY, Tokens.header(KEY).keyID("bogus-late").build(),
                Tokens.claims(issuer.issuer(), clock.instant()).build()))).isEqualTo(Reason.INVALID);
        assertThat(issuer.jwksFetches()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(2));
        assertThat(rejection(Tokens.sign(KEY, Tokens.header(KEY).keyID("bogus-later").build(),
                Tokens.claims(issuer.issuer(), clock.instant()).build()))).isEqualTo(Reason.INVALID);
        assertThat(issuer.jwksFetches()).isEqualTo(3);
        assertThat(verifier.verify(token())).isNotNull();
        assertThat(issuer.jwksFetches()).isEqualTo(3);
    }

    @Test
    void aNewKeyIsPickedUpByOneRefetchOnceTheIntervalAllows() throws Exception {
        assertThat(verifier.verify(token())).isNotNull();
        RSAKey next = Tokens.rsaKey("key-2");
        issuer.publish(new JWKSet(List.of(next, KEY)));
        String signedByNext = Tokens.sign(next, issuer.issuer(), clock.instant());

        assertThat(rejection(signedByNext)).isEqualTo(Reason.INVALID); // fetched a moment ago: no refetch yet
        assertThat(issuer.jwksFetches()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(31));
        assertThat(verifier.verify(signedByNext)).isNotNull();
        assertThat(verifier.verify(token())).isNotNull();
        assertThat(issuer.jwksFetches()).isEqualTo(2);
    }

    @Test
    void theJwksIsKeptAsLongAsItsMaxAgeSays() throws Exception {
        issuer.cacheControl("public, max-age=120");
        assertThat(verifier.verify(token())).isNotNull();
        clock.advance(Duration.ofSeconds(119));
        assertThat(verifier.verify(token())).isNotNull();
        assertThat(issuer.jwksFetches()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(2));
        assertThat(verifier.verify(token())).isNotNull();
        assertThat(issuer.jwksFetches()).isEqualTo(2);
    }

    @Test
    void withoutMaxAgeTheDefaultHoldsAndNoStoreStillCachesForTheRefetchInterval() throws Exception {
        assertThat(verifier.verify(token())).isNotNull();
        clock.advance(Duration.ofMinutes(4));
        assertThat(verifier.verify(token())).isNotNull();
        assertThat(issuer.jwksFetches()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        assertThat(verifier.verify(token())).isNotNull();
        assertThat(issuer.jwksFetches()).isEqualTo(2);

        issuer.cacheControl("no-store");
        clock.advance(Duration.ofMinutes(6));
        for (int i = 0; i < 50; i++) {
            assertThat(verifier.verify(token())).isNotNull();
        }
        assertThat(issuer.jwksFetches()).isEqualTo(3);
    }

    @Test
    void keysAreFoundThroughDiscoveryWhoseIssuerMustMatch() throws Exception {
        LatchkeyVerifier discovering = LatchkeyVerifier.builder().issuer(issuer.issuer()).clock(clock).build();
        assertThat(discovering.verify(token())).isNotNull();
        assertThat(issuer.jwksFetches()).isEqualTo(1);

        issuer.discoveryIssuer("http://evil.example");
        LatchkeyVerifier misled = LatchkeyVerifier.builder().issuer(issuer.issuer()).clock(clock).build();
        assertThatThrownBy(() -> misled.verify(token())).isInstanceOf(JwksUnavailableException.class)
                .hasMessageContaining("evil.example");
    }

    @Test
    void anUnreachableIssuerIsNotTheTokensFaultAndAStaleCopyIsKeptThroughAnOutage() throws Exception {
        issuer.status(500);
        assertThatThrownBy(() -> verifier.verify(token())).isInstanceOf(JwksUnavailableException.class);
        assertThatThrownBy(() -> verifier.verify(token())).isInstanceOf(JwksUnavailableException.class);
        assertThat(issuer.jwksFetches()).isEqualTo(1); // no retry within the interval

        issuer.status(200);
        clock.advance(Duration.ofSeconds(31));
        assertThat(verifier.verify(token())).isNotNull();
        issuer.status(503);
        clock.advance(Duration.ofMinutes(10));
        assertThat(verifier.verify(token())).isNotNull(); // expired copy, refresh failed: the copy goes on
        assertThat(issuer.jwksFetches()).isEqualTo(3);
    }
}
