package dev.latchkey.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class OriginCheckTest {
    private final OriginCheck check = new OriginCheck(List.of("https://app.example.com", "http://localhost:3000"));

    @Test
    void anAllowedOriginPasses() {
        assertThat(check.refuses("https://app.example.com", null)).isFalse();
        assertThat(check.refuses("http://localhost:3000", "same-site")).isFalse();
        assertThat(check.allows("https://app.example.com")).isTrue();
    }

    @Test
    void defaultPortsAndCaseAreNormalized() {
        assertThat(check.refuses("https://app.example.com:443", null)).isFalse();
        assertThat(check.refuses("HTTPS://App.Example.COM", null)).isFalse();
        OriginCheck plain = new OriginCheck(List.of("http://intranet.example"));
        assertThat(plain.refuses("http://intranet.example:80", null)).isFalse();
        assertThat(plain.refuses("http://intranet.example:8080", null)).isTrue();
        assertThat(plain.refuses("https://intranet.example", null)).isTrue();
    }

    @Test
    void aForeignOriginIsRefused() {
        assertThat(check.refuses("https://evil.example", null)).isTrue();
        assertThat(check.refuses("https://app.example.com.evil.example", null)).isTrue();
        assertThat(check.refuses("http://app.example.com", null)).isTrue();
        assertThat(check.refuses("http://localhost:3001", "same-origin")).isTrue();
        assertThat(check.allows("https://evil.example")).isFalse();
    }

    @Test
    void theNullOriginIsRefused() {
        assertThat(check.refuses("null", null)).isTrue();
        assertThat(check.refuses("null", "same-origin")).isTrue();
        assertThat(check.allows("null")).isFalse();
    }

    @Test
    void anAbsentOriginIsAllowed() {
        assertThat(check.refuses(null, null)).isFalse();
        assertThat(check.refuses(null, "none")).isFalse();
        assertThat(check.allows(null)).isFalse();
    }

    @Test
    void crossSiteFetchIsRefusedEvenWithoutOrigin() {
        assertThat(check.refuses(null, "cross-site")).isTrue();
        assertThat(check.refuses(null, "Cross-Site")).isTrue();
        assertThat(check.refuses("https://app.example.com", "cross-site")).isTrue();
    }

    @Test
    void sameOriginAndSameSiteFetchesAreAllowed() {
        assertThat(check.refuses(null, "same-origin")).isFalse();
        assertThat(check.refuses(null, "same-site")).isFalse();
        assertThat(check.refuses("https://app.example.com", "same-origin")).isFalse();
    }
}
