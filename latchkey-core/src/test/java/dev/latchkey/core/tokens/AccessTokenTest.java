package dev.latchkey.core.tokens;

import dev.latchkey.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AccessTokenTest {
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final TokenSettings SETTINGS = TokenSettings.of("https://auth.example.test", "latchkey", "latchkey-web");

    private static SigningKey key;
    private static SigningKey otherKey;

    private MutableClock clock;
    private AtomicReference<KeyRing> ring;
    private AccessTokenIssuer issuer;
    private AccessTokenVerifier verifier;

    @BeforeAll
    static void keys() {
        key = SigningKey.generateRsa(T0.minusSeconds(86_400));
        otherKey = SigningKey.generateRsa(T0.minusSeconds(86_400));
    }

    @BeforeEach
    void setUp() {
        clock = new MutableClock(T0);
        ring = new AtomicReference<>(KeyRing.of(List.of(key)));
        issuer = new AccessTokenIssuer(ring::get, SETTINGS, clock);
        verifier = new AccessTokenVerifier(ring::get, SETTINGS, clock);
    }

    // ---- positive ----------------------------------------------------------------------------

    @Test
    void roundTripCarriesAllClaims() {
        IssuedAccessToken issued = issuer.issue("user-123", "member", "session-9");

        assertThat(issued.issuedAt()).isEqualTo(T0);
        assertThat(issued.expiresAt()).isEqualTo(T0.plus(Duration.ofMinutes(15)));
        assertThat(Base64.getUrlDecoder().decode(issued.jti())).hasSizeGreaterThanOrEqualTo(16);

        TokenVerification result = verifier.verify(issued.value());
        assertThat(result).isEqualTo(new TokenVerification.Valid(new AccessTokenClaims(
                "user-123", "session-9", "member", "latchkey-web", issued.jti(), issued.issuedAt(), issued.expiresAt())));
    }

    @Test
    void headerAndClaimsAreExactlyTheSpecifiedOnes() throws Exception {
        IssuedAccessToken issued = issuer.issue("user-123", "member", "session-9");
        String[] parts = issued.value().split("\\.");

        Map<String, Object> header = JSONObjectUtils.parse(new Base64URL(parts[0]).decodeToString());
        assertThat(header).containsOnlyKeys("alg", "kid", "typ")
                .containsEntry("alg", "RS256").containsEntry("kid", key.kid()).containsEntry("typ", "at+jwt");

        Map<String, Object> payload = JSONObjectUtils.parse(new Base64URL(parts[1]).decodeToString());
        assertThat(payload).containsOnlyKeys("iss", "aud", "sub", "client_id", "role", "sid", "jti", "iat", "exp")
                .containsEntry("iss", "https://auth.example.test")
                .containsEntry("aud", "latchkey") // a single string, not an array
                .containsEntry("client_id", "latchkey-web")
                .containsEntry("iat", T0.getEpochSecond())
                .containsEntry("exp", T0.getEpochSecond() + 900);
    }

    @Test
    void jtisAreUnique() {
        assertThat(issuer.issue("u", "member", "s").jti()).isNotEqualTo(issuer.issue("u", "member", "s").jti());
    }

    @Test
    void tokenOfAnOlderKeyStillVerifiesAfterRotationAndStopsWhenTheKeyLeaves() {
        IssuedAccessToken old = issuer.issue("user-1", "member", "s-1");

        SigningKey next = SigningKey.generateRsa(T0);
        ring.set(KeyRing.of(List.of(key, next)));
        IssuedAccessToken fresh = issuer.issue("user-1", "member", "s-1");

        assertThat(header(fresh.value()).getKeyID()).isEqualTo(next.kid());
        assertThat(verifier.verify(old.value())).isInstanceOf(TokenVerification.Valid.class);
        assertThat(verifier.verify(fresh.value())).isInstanceOf(TokenVerification.Valid.class);

        ring.set(KeyRing.of(List.of(next)));
        assertThat(verifier.verify(old.value())).isInstanceOf(TokenVerification.Invalid.class);
        assertThat(verifier.verify(fresh.value())).isInstanceOf(TokenVerification.Valid.class);
    }

    @Test
    void es256RingWorksAndRefusesRs256() throws Exception {
        SigningKey ec = SigningKey.fromJwk(new ECKeyGenerator(Curve.P_256).generate(), JWSAlgorithm.ES256, T0);
        ring.set(KeyRing.of(List.of(ec)));
        IssuedAccessToken issued = issuer.issue("u", "member", "s");
        assertThat(header(issued.value()).getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(verifier.verify(issued.value())).isInstanceOf(TokenVerification.Valid.class);

        String rs = sign(key, JWSAlgorithm.RS256, key.kid(), "at+jwt", validClaims().build());
        assertThat(verifier.verify(rs)).isInstanceOf(TokenVerification.Invalid.class);
    }

    @Test
    void fullMediaTypeApplicationAtJwtIsAccepted() {
        String token = sign(key, JWSAlgorithm.RS256, key.kid(), "application/at+jwt", validClaims().build());
        assertThat(verifier.verify(token)).isInstanceOf(TokenVerification.Valid.class);
    }

    @Test
    void handCraftedTokenWithValidClaimsIsAccepted() {
        // guards the attack tests below: their only defect is the one each introduces
        assertThat(verifier.verify(sign(key, JWSAlgorithm.RS256, key.kid(), "at+jwt", validClaims().build())))
                .isInstanceOf(TokenVerification.Valid.class);
    }

    // ---- time ----------------------------------------------------------------------------------

    @Test
    void expiryHonoursLeewayFromTheInjectedClock() {
        IssuedAccessToken issued = issuer.issue("u", "member", "s");
        Instant exp = issued.expiresAt();

        clock.set(exp.minusSeconds(1));
        assertThat(verifier.verify(issued.value())).isInstanceOf(TokenVerification.Valid.class);
        clock.set(exp.plusSeconds(29));
        assertThat(verifier.verify(issued.value())).isInstanceOf(TokenVerification.Valid.class);
        clock.set(exp.plusSeconds(31));
        assertThat(verifier.verify(issued.value())).isEqualTo(new TokenVerification.Expired());
        clock.set(exp.plus(Duration.ofDays(365)));
        assertThat(verifier.verify(issued.value())).isEqualTo(new TokenVerification.Expired());
    }

    @Test
    void forgedExpiredTokenIsInvalidNotExpired() {
        SigningKey impostor = SigningKey.fromJwk(withKid(otherKey, key.kid()), JWSAlgorithm.RS256, T0);
        JWTClaimsSet claims = validClaims()
                .issueTime(Date.from(T0.minusSeconds(3600))).expirationTime(Date.from(T0.minusSeconds(1800))).build();
        assertThat(verifier.verify(sign(impostor, JWSAlgorithm.RS256, key.kid(), "at+jwt", claims)))
                .isInstanceOf(TokenVerification.Invalid.class);
        // the genuine one is Expired
        assertThat(verifier.verify(sign(key, JWSAlgorithm.RS256, key.kid(), "at+jwt", claims)))
                .isEqualTo(new TokenVerification.Expired());
    }

    @Test
    void expiredTokenWithAnotherDefectIsInvalid() {
        JWTClaimsSet claims = validClaims().issuer("https://evil.test")
                .issueTime(Date.from(T0.minusSeconds(3600))).expirationTime(Date.from(T0.minusSeconds(1800))).build();
        assertThat(verifier.verify(sign(key, JWSAlgorithm.RS256, key.kid(), "at+jwt", claims)))
                .isInstanceOf(TokenVerification.Invalid.class);
    }

    @Test
    void notBeforeInTheFutureIsInvalid() {
        String token = sign(key, JWSAlgorithm.RS256, key.kid(), "at+jwt",
                validClaims().notBeforeTime(Date.from(T0.plusSeconds(120))).build());
        assertThat(verifier.verify(token)).isInstanceOf(TokenVerification.Invalid.class);
    }

    @Test
    void issuedInTheFutureIsInvalid() {
        String token = sign(key, JWSAlgorithm.RS256, key.kid(), "at+jwt",
                validClaims().issueTime(Date.from(T0.plusSeconds(600))).expirationTime(Date.from(T0.plusSeconds(900))).build());
        assertThat(verifier.verify(token)).isInstanceOf(TokenVerification.Invalid.class);
    }

    @Test
    void aRememberedTokenHasItsNotBeforeCheckedAgainOnEveryCall() {
        String token = sign(key, JWSAlgorithm.RS256, key.kid(), "at+jwt",
                validClaims().notBeforeTime(Date.from(T0.plusSeconds(120))).build());
        clock.set(T0.plusSeconds(200));
        assertThat(verifier.verify(token)).isInstanceOf(TokenVerification.Valid.class);
        clock.set(T0); // the clock stepped back: the remembered verdict must not carry over
        assertThat(verifier.verify(token)).isInstanceOf(TokenVerification.Invalid.class);
    }

    @Test
    void aRememberedTokenIsVerifiedAfreshOnceTheRingChanges() {
        IssuedAccessToken issued = issuer.issue("u", "member", "s");
        assertThat(verifier.verify(issued.value())).isInstanceOf(TokenVerification.Valid.class);

        // same key, new ring: still valid
        ring.set(KeyRing.of(List.of(key, SigningKey.generateRsa(T0)), key.kid()));
        assertThat(verifier.verify(issued.value())).isInstanceOf(TokenVerification.Valid.class);
        // another key under the same kid: the remembered verdict is not reused
        ring.set(KeyRing.of(List.of(SigningKey.fromJwk(withKid(otherKey, key.kid()), JWSAlgorithm.RS256, T0))));
        assertThat(verifier.verify(issued.value())).isInstanceOf(TokenVerification.Invalid.class);
    }

    @Test
    void tamperingWithARememberedTokenIsStillRefused() {
        IssuedAccessToken genuine = issuer.issue("u", "member", "s");
        assertThat(verifier.verify(genuine.value())).isInstanceOf(TokenVerification.Valid.class);
        String[] parts = genuine.value().split("\\.");
        String payload = new Base64URL(parts[1]).decodeToString().replace("\"member\"", "\"admin\"");
        assertInvalid(parts[0] + "." + b64(payload) + "." + parts[2]);
        char last = parts[2].charAt(parts[2].length() - 2);
        assertInvalid(parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() - 2)
                + (last == 'A' ? 'B' : 'A') + parts[2].charAt(parts[2].length() - 1));
        assertThat(verifier.verify(genuine.value())).isInstanceOf(TokenVerification.Valid.class);
    }

    // ---- attacks -------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
    void algNoneIsRefusedWithAndWithoutSignature(String alg) {
        IssuedAccessToken genuine = issuer.issue("u", "member", "s");
        String[] parts = genuine.value().split("\\.");
        String header = b64("{\"alg\":\"" + alg + "\",\"kid\":\"" + key.kid() + "\",\"typ\":\"at+jwt\"}");

        assertInvalid(header + "." + parts[1] + ".");
        assertInvalid(header + "." + parts[1] + "." + parts[2]);
        assertInvalid(header + "." + parts[1]);
    }

    @Test
    void hs256SignedWithThePublicKeyBytesIsRefused() throws Exception {
        RSAKey pub = ((RSAKey) key.privateJwk()).toPublicJWK();
        byte[] der = pub.toRSAPublicKey().getEncoded();
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END PUBLIC KEY-----\n";

        for (byte[] secret : List.of(der, pem.getBytes(StandardCharsets.US_ASCII))) {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.kid())
                    .type(new JOSEObjectType("at+jwt")).build(), validClaims().build());
            jwt.sign(new MACSigner(secret));
            assertInvalid(jwt.serialize());
        }
    }

    @Test
    void tamperedPayloadIsRefused() {
        IssuedAccessToken genuine = issuer.issue("u", "member", "s");
        String[] parts = genuine.value().split("\\.");
        String payload = new Base64URL(parts[1]).decodeToString().replace("\"member\"", "\"admin\"");
        assertThat(payload).contains("\"admin\"");
        assertInvalid(parts[0] + "." + b64(payload) + "." + parts[2]);
    }

    @Test
    void wrongIssuerOrAudienceIsRefused() {
        var otherIssuer = new AccessTokenIssuer(ring::get,
                TokenSettings.of("https://evil.test", "latchkey", "latchkey-web"), clock);
        assertInvalid(otherIssuer.issue("u", "member", "s").value());

        var otherAudience = new AccessTokenIssuer(ring::get,
                TokenSettings.of("https://auth.example.test", "some-api", "latchkey-web"), clock);
        assertInvalid(otherAudience.issue("u", "member", "s").value());

        assertInvalid(sign(key, JWSAlgorithm.RS256, key.kid(), "at+jwt",
                validClaims().audience(List.of("latchkey", "other")).build()));
    }

    @Test
    void wrongOrMissingTypIsRefused() {
        assertInvalid(sign(key, JWSAlgorithm.RS256, key.kid(), "JWT", validClaims().build()));
        assertInvalid(sign(key, JWSAlgorithm.RS256, key.kid(), "jwt", validClaims().build()));
        assertInvalid(sign(key, JWSAlgorithm.RS256, key.kid(), null, validClaims().build()));
    }

    @Test
    void unknownOrMissingKidIsRefused() {
        assertInvalid(sign(key, JWSAlgorithm.RS256, "unknown-kid", "at+jwt", validClaims().build()));
        assertInvalid(sign(key, JWSAlgorithm.RS256, null, "at+jwt", validClaims().build()));
    }

    @Test
    void differentKeyWithTheSameKidIsRefused() {
        SigningKey impostor = SigningKey.fromJwk(withKid(otherKey, key.kid()), JWSAlgorithm.RS256, T0);
        assertInvalid(sign(impostor, JWSAlgorithm.RS256, key.kid(), "at+jwt", validClaims().build()));
    }

    @Test
    void keyEmbeddedInTheHeaderIsIgnored() throws Exception {
        RSAKey attacker = withKid(otherKey, key.kid());
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.kid())
                .type(new JOSEObjectType("at+jwt")).jwk(attacker.toPublicJWK()).build(), validClaims().build());
        jwt.sign(new RSASSASigner(attacker));
        assertInvalid(jwt.serialize());
    }

    @Test
    void rs512WithTheRightKeyIsRefusedWhenTheRingOnlyAllowsRs256() {
        assertInvalid(sign(key, JWSAlgorithm.RS512, key.kid(), "at+jwt", validClaims().build()));
        assertInvalid(sign(key, JWSAlgorithm.PS256, key.kid(), "at+jwt", validClaims().build()));
    }

    @Test
    void algorithmMustMatchTheKeyNotJustTheRing() throws Exception {
        // the ring allows ES256 (for another key), but this RSA key signs RS256 only
        SigningKey ec = SigningKey.fromJwk(new ECKeyGenerator(Curve.P_256).generate(), JWSAlgorithm.ES256, T0.minusSeconds(1));
        ring.set(KeyRing.of(List.of(key, ec)));
        String token = sign(ec, JWSAlgorithm.ES256, key.kid(), "at+jwt", validClaims().build());
        assertInvalid(token);
    }

    @Test
    void missingClaimsAreRefused() {
        for (String claim : List.of("sid", "jti", "sub", "role", "client_id", "iat", "exp", "iss", "aud")) {
            JWTClaimsSet full = validClaims().build();
            JWTClaimsSet.Builder without = new JWTClaimsSet.Builder();
            full.getClaims().forEach((name, value) -> {
                if (!name.equals(claim)) {
                    without.claim(name, value instanceof Date d ? d : value);
                }
            });
            assertThat(verifier.verify(sign(key, JWSAlgorithm.RS256, key.kid(), "at+jwt", without.build())))
                    .as("token without %s", claim).isInstanceOf(TokenVerification.Invalid.class);
        }
    }

    @Test
    void nonStringClaimsAreRefused() {
        assertInvalid(sign(key, JWSAlgorithm.RS256, key.kid(), "at+jwt", validClaims().claim("role", List.of("admin")).build()));
        assertInvalid(sign(key, JWSAlgorithm.RS256, key.kid(), "at+jwt", validClaims().claim("sid", 42).build()));
        assertInvalid(sign(key, JWSAlgorithm.RS256, key.kid(), "at+jwt", validClaims().claim("sid", " ").build()));
    }

    @Test
    void encryptedTokenIsRefused() throws Exception {
        RSAKey pub = ((RSAKey) key.privateJwk()).toPublicJWK();
        EncryptedJWT jwe = new EncryptedJWT(new JWEHeader.Builder(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM)
                .keyID(key.kid()).type(new JOSEObjectType("at+jwt")).build(), validClaims().build());
        jwe.encrypt(new RSAEncrypter(pub));
        assertInvalid(jwe.serialize());
    }

    @Test
    void garbageOfAllKindsIsInvalidWithoutException() {
        List<String> inputs = new java.util.ArrayList<>(List.of(
                "", " ", ".", "..", "...", "a.b.c", "a.b", "Bearer x", "eyJ.eyJ.sig",
                b64("{}") + "." + b64("{}") + ".", b64("[]") + "." + b64("{}") + ".AA",
                b64("{\"alg\":\"RS256\"}") + "." + b64("not json") + ".AA",
                b64("{\"alg\":\"RS256\",\"kid\":\"" + key.kid() + "\",\"typ\":\"at+jwt\"}") + "." + b64("{}") + ".%%%",
                b64("{\"alg\":\"RS256\",\"crit\":[\"b64\"],\"b64\":false,\"kid\":\"" + key.kid() + "\",\"typ\":\"at+jwt\"}")
                        + "." + b64("{}") + ".AA",
                b64("{\"alg\":\"RS256\",\"kid\":\"" + key.kid() + "\",\"typ\":\"at+jwt\"}") + "."
                        + b64("[".repeat(3000) + "]".repeat(3000)) + ".AA",
                "\u0000\u0001.\uFFFF.\uD800",
                RefreshTokens.generate(new SecureRandom()),
                "x".repeat(16 * 1024),
                issuer.issue("u", "member", "s").value() + "." + "x".repeat(20 * 1024)));
        inputs.add(null);
        for (String input : inputs) {
            assertThatCode(() -> assertThat(verifier.verify(input)).isInstanceOf(TokenVerification.Invalid.class))
                    .as("input %s", input == null ? "null" : input.substring(0, Math.min(40, input.length())))
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void invalidReasonIsFilledForLogs() {
        TokenVerification result = verifier.verify(sign(key, JWSAlgorithm.RS256, "unknown-kid", "at+jwt", validClaims().build()));
        assertThat(result).isInstanceOfSatisfying(TokenVerification.Invalid.class, i -> assertThat(i.reason()).isNotBlank());
    }

    // ---- helpers -------------------------------------------------------------------------------

    private JWTClaimsSet.Builder validClaims() {
        return new JWTClaimsSet.Builder()
                .issuer(SETTINGS.issuer())
                .audience(SETTINGS.audience())
                .subject("user-1")
                .claim("client_id", SETTINGS.clientId())
                .claim("role", "member")
                .claim("sid", "session-1")
                .jwtID("jti-0123456789abcdef")
                .issueTime(Date.from(T0))
                .expirationTime(Date.from(T0.plusSeconds(900)));
    }

    private static String sign(SigningKey signer, JWSAlgorithm alg, String kid, String typ, JWTClaimsSet claims) {
        try {
            JWSHeader.Builder header = new JWSHeader.Builder(alg).keyID(kid);
            if (typ != null) {
                header.type(new JOSEObjectType(typ));
            }
            SignedJWT jwt = new SignedJWT(header.build(), claims);
            if (signer.privateJwk() instanceof RSAKey rsa) {
                jwt.sign(new RSASSASigner(rsa));
            } else {
                jwt.sign(new com.nimbusds.jose.crypto.ECDSASigner(signer.privateJwk().toECKey()));
            }
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static RSAKey withKid(SigningKey source, String kid) {
        return new RSAKey.Builder((RSAKey) source.privateJwk()).keyID(kid).build();
    }

    private static JWSHeader header(String token) {
        try {
            return SignedJWT.parse(token).getHeader();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(String json) {
        return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private void assertInvalid(String token) {
        assertThat(verifier.verify(token)).isInstanceOf(TokenVerification.Invalid.class);
    }


}
