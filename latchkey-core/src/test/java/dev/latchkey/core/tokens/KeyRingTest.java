package dev.latchkey.core.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyRingTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void newestKeySignsWhateverTheOrder() {
        SigningKey old = SigningKey.generateRsa(T0);
        SigningKey newer = SigningKey.generateRsa(T0.plusSeconds(3600));

        assertThat(KeyRing.of(List.of(old, newer)).current()).isEqualTo(newer);
        assertThat(KeyRing.of(List.of(newer, old)).current()).isEqualTo(newer);
    }

    @Test
    void findsKeysByKid() {
        SigningKey a = SigningKey.generateRsa(T0);
        SigningKey b = SigningKey.generateRsa(T0.plusSeconds(1));
        KeyRing ring = KeyRing.of(List.of(a, b));

        assertThat(ring.find(a.kid())).contains(a);
        assertThat(ring.find(b.kid())).contains(b);
        assertThat(ring.find("nope")).isEmpty();
        assertThat(ring.find(null)).isEmpty();
    }

    @Test
    void refusesEmptyAndDuplicateKids() {
        SigningKey a = SigningKey.generateRsa(T0);
        assertThatThrownBy(() -> KeyRing.of(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeyRing.of(List.of(a, a))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(a.kid());
    }

    @Test
    @SuppressWarnings("unchecked")
    void publicJwksJsonHasOnlyPublicMembersWithKidAlgUse() throws Exception {
        SigningKey rsa = SigningKey.generateRsa(T0);
        SigningKey ec = SigningKey.fromJwk(new ECKeyGenerator(Curve.P_256).generate(), JWSAlgorithm.ES256, T0);
        KeyRing ring = KeyRing.of(List.of(rsa, ec));

        Map<String, Object> jwks = ring.publicJwksJson();
        assertThat(jwks).containsOnlyKeys("keys");
        List<Map<String, Object>> keys = (List<Map<String, Object>>) jwks.get("keys");
        assertThat(keys).hasSize(2);
        for (Map<String, Object> key : keys) {
            assertThat(key).doesNotContainKeys("d", "p", "q", "dp", "dq", "qi", "oth", "k");
            assertThat(key).containsKeys("kid", "alg", "use", "kty");
            assertThat(key.get("use")).isEqualTo("sig");
        }
        assertThat(keys).extracting(k -> k.get("kid")).containsExactly(rsa.kid(), ec.kid());
        assertThat(keys).extracting(k -> k.get("alg")).containsExactly("RS256", "ES256");
        assertThat(ring.publicJwkSet().getKeys()).noneMatch(k -> k.isPrivate());
        assertThat(ring.algorithms()).containsExactlyInAnyOrder(JWSAlgorithm.RS256, JWSAlgorithm.ES256);
    }

    @Test
    void aNamedKeySignsEvenWhenANewerOneIsPrePublished() {
        SigningKey active = SigningKey.generateRsa(T0);
        SigningKey pending = SigningKey.generateRsa(T0.plusSeconds(60));
        KeyRing ring = KeyRing.of(List.of(active, pending), active.kid());

        assertThat(ring.current()).isEqualTo(active);
        assertThat(ring.publicJwkSet().getKeys()).hasSize(2);
        assertThatThrownBy(() -> KeyRing.of(List.of(active), "other")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theVerifierAsksAKeyRingSourceAgainForAnUnknownKid() {
        SigningKey oldKey = SigningKey.generateRsa(T0);
        SigningKey newKey = SigningKey.generateRsa(T0.plusSeconds(1));
        KeyRing before = KeyRing.of(List.of(oldKey));
        KeyRing after = KeyRing.of(List.of(oldKey, newKey), newKey.kid());
        java.util.concurrent.atomic.AtomicInteger refreshes = new java.util.concurrent.atomic.AtomicInteger();
        KeyRingSource source = new KeyRingSource() {
            volatile KeyRing ring = before;

            @Override
            public KeyRing get() {
                return ring;
            }

            @Override
            public KeyRing refreshFor(String kid) {
                refreshes.incrementAndGet();
                ring = after;
                return ring;
            }
        };
        TokenSettings settings = TokenSettings.of("https://issuer.example", "latchkey", "web");
        java.time.Clock clock = java.time.Clock.fixed(T0.plusSeconds(2), java.time.ZoneOffset.UTC);
        String token = new AccessTokenIssuer(() -> after, settings, clock).issue("u1", "user", "s1").value();

        assertThat(new AccessTokenVerifier(source, settings, clock).verify(token))
                .isInstanceOf(TokenVerification.Valid.class);
        assertThat(refreshes.get()).isEqualTo(1);
    }
}
