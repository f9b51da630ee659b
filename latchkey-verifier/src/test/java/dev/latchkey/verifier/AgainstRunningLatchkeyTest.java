package dev.latchkey.verifier;

import dev.latchkey.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.latchkey.verifier.TokenRejectedException.Reason;
import java.net.URI;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Real tokens from a running Latchkey, verified with nothing but its published keys. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgainstRunningLatchkeyTest {
    private RunningLatchkey latchkey;
    private LatchkeyVerifier verifier;

    @BeforeAll
    void start() {
        latchkey = RunningLatchkey.start(Map.of());
        verifier = LatchkeyVerifier.builder().issuer(latchkey.issuer()).audience("latchkey").build();
    }

    @AfterAll
    void stop() {
        latchkey.close();
    }

    private static String email() {
        return "user-" + UUID.randomUUID() + "@example.com";
    }

    private Reason rejection(LatchkeyVerifier v, String token) {
        try {
            v.verify(token);
        } catch (TokenRejectedException e) {
            return e.reason();
        }
        throw new AssertionError("accepted: " + token);
    }

    @Test
    void tokensFromRegisterAndLoginVerify() throws Exception {
        String email = email();
        JsonNode registered = latchkey.register(email);
        JsonNode loggedIn = latchkey.login(email);

        for (JsonNode answer : new JsonNode[] {registered, loggedIn}) {
            VerifiedToken token = verifier.verify(answer.get("accessToken").asText());
            assertThat(token.subject()).isEqualTo(registered.get("user").get("id").asText());
            assertThat(token.role()).isEqualTo("user");
            assertThat(token.clientId()).isEqualTo("latchkey-web");
            assertThat(token.sessionId()).isNotBlank();
            assertThat(token.jti()).isNotBlank();
            assertThat(token.expiresAt()).isEqualTo(token.issuedAt().plus(Duration.ofMinutes(15)));
            assertThat(token.claims()).doesNotContainValue(email);
        }
        assertThat(verifier.verify(registered.get("accessToken").asText()).sessionId())
                .isNotEqualTo(verifier.verify(loggedIn.get("accessToken").asText()).sessionId());
    }

    @Test
    void tamperedAndForgedTokensAreRefused() throws Exception {
        String real = latchkey.register(email()).get("accessToken").asText();
        String[] parts = real.split("\\.");
        SignedJWT parsed = SignedJWT.parse(real);
        JWTClaimsSet claims = parsed.getJWTClaimsSet();
        String kid = parsed.getHeader().getKeyID();

        // role raised to admin in the payload, signature kept
        JWTClaimsSet admin = new JWTClaimsSet.Builder(claims).claim("role", "admin").build();
        String raised = parts[0] + "." + admin.toPayload().toBase64URL() + "." + parts[2];
        assertThat(rejection(verifier, raised)).isEqualTo(Reason.INVALID);
        // signature cut short
        assertThat(rejection(verifier, parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() - 4)))
                .isEqualTo(Reason.INVALID);
        // signed by another key under Latchkey's kid
        assertThat(rejection(verifier, Tokens.sign(Tokens.rsaKey(kid), parsed.getHeader(), admin))).isEqualTo(Reason.INVALID);
        // alg none
        assertThat(rejection(verifier, new PlainJWT(new PlainHeader.Builder().type(new JOSEObjectType("at+jwt")).build(), admin)
                .serialize())).isEqualTo(Reason.INVALID);
        // HS256 keyed with Latchkey's published public key
        RSAKey published = (RSAKey) JWKSet.load(URI.create(latchkey.issuer() + "/.well-known/jwks.json").toURL()).getKeyByKeyId(kid);
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(kid)
                .type(new JOSEObjectType("at+jwt")).build(), admin);
        hmac.sign(new MACSigner(published.toRSAPublicKey().getEncoded()));
        assertThat(rejection(verifier, hmac.serialize())).isEqualTo(Reason.INVALID);
    }

    @Test
    void wrongAudienceOrIssuerAndExpiryAreRefused() throws Exception {
        String real = latchkey.register(email()).get("accessToken").asText();
        assertThat(rejection(LatchkeyVerifier.builder().issuer(latchkey.issuer()).audience("billing").build(), real))
                .isEqualTo(Reason.INVALID);
        // the same keys under another issuer name
        assertThat(rejection(LatchkeyVerifier.builder().issuer("http://127.0.0.1:" + URI.create(latchkey.issuer()).getPort())
                .jwksUri(latchkey.issuer() + "/.well-known/jwks.json").build(), real)).isEqualTo(Reason.INVALID);

        MutableClock later = new MutableClock(SignedJWT.parse(real).getJWTClaimsSet().getIssueTime().toInstant());
        LatchkeyVerifier clocked = LatchkeyVerifier.builder().issuer(latchkey.issuer()).clock(later).build();
        assertThat(clocked.verify(real)).isNotNull();
        later.advance(Duration.ofMinutes(15).plusSeconds(29));
        assertThat(clocked.verify(real)).isNotNull(); // within the 30 s leeway
        later.advance(Duration.ofSeconds(2));
        assertThat(rejection(clocked, real)).isEqualTo(Reason.EXPIRED);
    }

    @Test
    void aTokenFromAShortLivedConfigurationExpiresForReal() throws Exception {
        try (RunningLatchkey shortLived = RunningLatchkey.start(Map.of("LATCHKEY_ACCESS_TOKEN_TTL", "1s"))) {
            String token = shortLived.register(email()).get("accessToken").asText();
            LatchkeyVerifier strict = LatchkeyVerifier.builder().issuer(shortLived.issuer()).clockLeeway(Duration.ZERO).build();
            VerifiedToken verified = strict.verify(token);
            long wait = Duration.between(java.time.Instant.now(), verified.expiresAt()).toMillis() + 50;
            Thread.sleep(Math.max(wait, 0));
            assertThat(rejection(strict, token)).isEqualTo(Reason.EXPIRED);
        }
    }

    /**
     * An operator rotates a configured key by restarting on the same database with another key.
     * A verifier that cached the old JWKS meets a token naming the new kid: it refetches once
     * (as soon as its refetch interval allows) and accepts it; the previous key stays published
     * until every token it signed has expired, so tokens signed before the restart still verify.
     */
    @Test
    void acrossARestartWithAnotherSigningKeyTheVerifierRefetchesOnceAndAcceptsBoth() throws Exception {
        try (RunningLatchkey rotating = RunningLatchkey.start(Map.of("LATCHKEY_SIGNING_KEY", pem()))) {
            String email = email();
            String signedByA = rotating.register(email).get("accessToken").asText();
            MutableClock clock = MutableClock.now();
            LatchkeyVerifier cached = LatchkeyVerifier.builder().issuer(rotating.issuer()).clock(clock).build();
            assertThat(cached.verify(signedByA).subject()).isNotBlank();

            rotating.restart(Map.of("LATCHKEY_SIGNING_KEY", pem()));
            String signedByB = rotating.login(email).get("accessToken").asText();
            assertThat(SignedJWT.parse(signedByB).getHeader().getKeyID()).isNotEqualTo(SignedJWT.parse(signedByA).getHeader().getKeyID());

            assertThat(rejection(cached, signedByB)).isEqualTo(Reason.INVALID); // JWKS fetched a moment ago: no refetch yet
            assertThat(cached.verify(signedByA)).isNotNull(); // still the cached copy
            clock.advance(Duration.ofSeconds(31));
            VerifiedToken b = cached.verify(signedByB);
            assertThat(b.subject()).isEqualTo(cached.verify(signedByB).subject());
            assertThat(cached.verify(signedByA).subject()).isEqualTo(b.subject()); // key A is still published
        }
    }

    /**
     * A rotation on a running Latchkey (what {@code latchkey keys rotate} does): the new key signs
     * at once and the previous one stays published. A verifier that cached the JWKS before the
     * rotation accepts tokens of both keys: the old ones from its cache, the new ones after one
     * refetch on the unknown kid.
     */
    @Test
    void acrossAnInPlaceKeyRotationNothingValidIsRefused() throws Exception {
        try (RunningLatchkey rotating = RunningLatchkey.start(Map.of())) {
            String email = email();
            String beforeRotation = rotating.register(email).get("accessToken").asText();
            MutableClock clock = MutableClock.now();
            LatchkeyVerifier cached = LatchkeyVerifier.builder().issuer(rotating.issuer()).clock(clock).build();
            String subject = cached.verify(beforeRotation).subject();

            rotating.rotateSigningKey();
            String afterRotation = rotating.login(email).get("accessToken").asText();
            assertThat(SignedJWT.parse(afterRotation).getHeader().getKeyID())
                    .isNotEqualTo(SignedJWT.parse(beforeRotation).getHeader().getKeyID());

            clock.advance(Duration.ofSeconds(31)); // past the refetch interval
            assertThat(cached.verify(afterRotation).subject()).isEqualTo(subject);
            assertThat(cached.verify(beforeRotation).subject()).isEqualTo(subject);
        }
    }

    private static String pem() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        byte[] der = generator.generateKeyPair().getPrivate().getEncoded();
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END PRIVATE KEY-----\n";
    }
}
