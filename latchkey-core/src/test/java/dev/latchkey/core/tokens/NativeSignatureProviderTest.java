package dev.latchkey.core.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import dev.latchkey.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.security.Provider;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A ring given a native JCA provider (AWS-LC, as the server uses where it loads) makes signatures
 * the JDK's providers accept, accepts theirs, and refuses what they refuse: the provider changes
 * speed, never the tokens.
 */
class NativeSignatureProviderTest {
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final TokenSettings SETTINGS = TokenSettings.of("https://auth.example.test", "latchkey", "latchkey-web");
    private static Provider accp;

    @BeforeAll
    static void loadProvider() {
        AmazonCorrettoCryptoProvider provider = AmazonCorrettoCryptoProvider.INSTANCE;
        // The build runs on Linux x86-64, where the native library ships: failing here is a real failure.
        provider.assertHealthy();
        accp = provider;
    }

    @Test
    void rs256TokensInteroperateBothWays() {
        SigningKey key = SigningKey.generateRsa(T0);
        assertInteroperates(key);
    }

    @Test
    void es256TokensInteroperateBothWays() throws Exception {
        SigningKey key = SigningKey.fromJwk(new ECKeyGenerator(Curve.P_256).generate(), JWSAlgorithm.ES256, T0);
        assertInteroperates(key);
    }

    @Test
    void keysTheNativeProviderGeneratesSignTokensTheJdkAccepts() {
        // the server generates its keys (a first start's development key, rotations) with the provider it signs with
        assertInteroperates(SigningKey.generate(JWSAlgorithm.RS256, T0, accp));
        assertInteroperates(SigningKey.generate(JWSAlgorithm.ES256, T0, accp));
        assertThat(SigningKey.generate(JWSAlgorithm.RS256, T0, accp).privateJwk().toRSAKey().size())
                .isEqualTo(SigningKey.RSA_KEY_BITS);
        // the key pair comes from the provider given, not the JDK's: one that makes none fails
        Provider none = new Provider("none", "1", "generates no keys") { };
        assertThatThrownBy(() -> SigningKey.generate(JWSAlgorithm.RS256, T0, none)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> SigningKey.generate(JWSAlgorithm.ES256, T0, none)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void rs256SignaturesAreByteForByteTheJdks() {
        // PKCS#1 v1.5 is deterministic: the same key and input give the same signature.
        SigningKey key = SigningKey.generateRsa(T0);
        KeyRing nativeRing = KeyRing.of(List.of(key), null, accp);
        KeyRing jdkRing = KeyRing.of(List.of(key));
        byte[] input = "header.payload".getBytes(StandardCharsets.US_ASCII);
        try {
            var header = new com.nimbusds.jose.JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.kid()).build();
            Base64URL fromNative = nativeRing.currentEntry().signer().sign(header, input);
            Base64URL fromJdk = jdkRing.currentEntry().signer().sign(header, input);
            assertThat(fromNative).isEqualTo(fromJdk);
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aNativeRingRefusesTamperedAndForeignTokens() {
        SigningKey key = SigningKey.generateRsa(T0);
        SigningKey other = SigningKey.generateRsa(T0);
        MutableClock clock = new MutableClock(T0);
        AccessTokenVerifier verifier = new AccessTokenVerifier(() -> KeyRing.of(List.of(key), null, accp), SETTINGS, clock);
        String genuine = new AccessTokenIssuer(() -> KeyRing.of(List.of(key), null, accp), SETTINGS, clock)
                .issue("u", "member", "s").value();
        String[] parts = genuine.split("\\.");
        String forged = new AccessTokenIssuer(() -> KeyRing.of(List.of(other), null, accp), SETTINGS, clock)
                .issue("u", "admin", "s").value();
        String[] forgedParts = forged.split("\\.");

        assertThat(verifier.verify(genuine)).isInstanceOf(TokenVerification.Valid.class);
        // the forger's claims under the genuine header and the forger's signature
        assertThat(verifier.verify(parts[0] + "." + forgedParts[1] + "." + forgedParts[2]))
                .isInstanceOf(TokenVerification.Invalid.class);
        // the genuine signature over other claims
        assertThat(verifier.verify(parts[0] + "." + forgedParts[1] + "." + parts[2]))
                .isInstanceOf(TokenVerification.Invalid.class);
    }

    private static void assertInteroperates(SigningKey key) {
        MutableClock clock = new MutableClock(T0);
        KeyRing nativeRing = KeyRing.of(List.of(key), null, accp);
        KeyRing jdkRing = KeyRing.of(List.of(key));

        String byNative = new AccessTokenIssuer(() -> nativeRing, SETTINGS, clock).issue("u", "member", "s").value();
        String byJdk = new AccessTokenIssuer(() -> jdkRing, SETTINGS, clock).issue("u", "member", "s").value();

        assertThat(new AccessTokenVerifier(() -> jdkRing, SETTINGS, clock).verify(byNative))
                .isInstanceOf(TokenVerification.Valid.class);
        assertThat(new AccessTokenVerifier(() -> nativeRing, SETTINGS, clock).verify(byJdk))
                .isInstanceOf(TokenVerification.Valid.class);
        assertThat(new AccessTokenVerifier(() -> nativeRing, SETTINGS, clock).verify(byNative))
                .isInstanceOf(TokenVerification.Valid.class);
    }
}
