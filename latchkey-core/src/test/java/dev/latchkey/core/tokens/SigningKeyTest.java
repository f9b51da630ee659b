package dev.latchkey.core.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SigningKeyTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void generatedRsaKeyIsRs256With2048BitsAndThumbprintKid() throws Exception {
        SigningKey key = SigningKey.generateRsa(T0);

        assertThat(key.algorithm()).isEqualTo(JWSAlgorithm.RS256);
        assertThat(key.privateJwk()).isInstanceOf(RSAKey.class);
        assertThat(key.privateJwk().size()).isEqualTo(2048);
        assertThat(key.kid()).isEqualTo(key.privateJwk().computeThumbprint().toString()).hasSize(43);
        assertThat(key.privateJwk().getKeyID()).isEqualTo(key.kid());
        assertThat(key.createdAt()).isEqualTo(T0);
    }

    @Test
    void publicJwkHasOnlyPublicMembersAndMetadata() {
        SigningKey key = SigningKey.generateRsa(T0);
        JWK pub = key.publicJwk();

        assertThat(pub.isPrivate()).isFalse();
        assertThat(pub.getKeyID()).isEqualTo(key.kid());
        assertThat(pub.getKeyUse()).isEqualTo(KeyUse.SIGNATURE);
        assertThat(pub.getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
        assertThat(pub.toJSONObject()).doesNotContainKeys("d", "p", "q", "dp", "dq", "qi", "oth");
    }

    @Test
    void fromJwkKeepsAnExistingKid() throws Exception {
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("my-ec-key").generate();
        SigningKey key = SigningKey.fromJwk(ec, JWSAlgorithm.ES256, T0);
        assertThat(key.kid()).isEqualTo("my-ec-key");
        assertThat(key.publicJwk().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    }

    @Test
    void fromJwkWithoutKidUsesThumbprint() throws Exception {
        ECKey ec = new ECKeyGenerator(Curve.P_256).generate();
        assertThat(SigningKey.fromJwk(ec, JWSAlgorithm.ES256, T0).kid()).isEqualTo(ec.computeThumbprint().toString());
    }

    @Test
    void refusesMismatchedAlgorithmsWeakKeysSymmetricAndPublicKeys() throws Exception {
        RSAKey rsa = (RSAKey) SigningKey.generateRsa(T0).privateJwk();
        assertThatThrownBy(() -> SigningKey.fromJwk(rsa, JWSAlgorithm.ES256, T0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SigningKey.fromJwk(rsa, JWSAlgorithm.HS256, T0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SigningKey.fromJwk(rsa.toPublicJWK(), JWSAlgorithm.RS256, T0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("private");

        ECKey p384 = new ECKeyGenerator(Curve.P_384).generate();
        assertThatThrownBy(() -> SigningKey.fromJwk(p384, JWSAlgorithm.ES256, T0)).isInstanceOf(IllegalArgumentException.class);

        var hmac = new OctetSequenceKeyGenerator(256).generate();
        assertThatThrownBy(() -> SigningKey.fromJwk(hmac, JWSAlgorithm.HS256, T0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Unsupported");

        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(1024);
        var pair = gen.generateKeyPair();
        RSAKey weak = new RSAKey.Builder((RSAPublicKey) pair.getPublic()).privateKey((RSAPrivateKey) pair.getPrivate()).build();
        assertThatThrownBy(() -> SigningKey.fromJwk(weak, JWSAlgorithm.RS256, T0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2048");
    }

    @Test
    void toStringShowsNoKeyMaterial() {
        SigningKey key = SigningKey.generateRsa(T0);
        RSAKey rsa = (RSAKey) key.privateJwk();
        assertThat(key.toString()).contains(key.kid())
                .doesNotContain(rsa.getPrivateExponent().toString())
                .doesNotContain(rsa.getModulus().toString());
    }
}
