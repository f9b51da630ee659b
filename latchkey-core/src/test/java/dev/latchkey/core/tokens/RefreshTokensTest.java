package dev.latchkey.core.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RefreshTokensTest {
    private final SecureRandom random = new SecureRandom();

    @Test
    void tokensAre43Base64UrlCharactersAndDistinct() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String token = RefreshTokens.generate(random);
            assertThat(token).hasSize(43).matches("[A-Za-z0-9_-]{43}");
            assertThat(RefreshTokens.isWellFormed(token)).isTrue();
            assertThat(seen.add(token)).isTrue();
        }
        assertThat(RefreshTokens.randomToken(random)).matches("[A-Za-z0-9_-]{43}");
    }

    @Test
    void hashIsSha256Base64UrlAndDeterministic() {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        assertThat(RefreshTokens.hash("abc")).isEqualTo("ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
        String token = RefreshTokens.generate(random);
        assertThat(RefreshTokens.hash(token)).isEqualTo(RefreshTokens.hash(token)).hasSize(43).isNotEqualTo(token);
    }

    @Test
    void wellFormednessAndComparison() {
        assertThat(RefreshTokens.isWellFormed(null)).isFalse();
        assertThat(RefreshTokens.isWellFormed("")).isFalse();
        assertThat(RefreshTokens.isWellFormed("a".repeat(42) + "=")).isFalse();
        assertThat(RefreshTokens.isWellFormed("a".repeat(44))).isFalse();
        assertThat(RefreshTokens.constantTimeEquals("abc", "abc")).isTrue();
        assertThat(RefreshTokens.constantTimeEquals("abc", "abd")).isFalse();
        assertThat(RefreshTokens.constantTimeEquals(null, "abd")).isFalse();
    }
}
