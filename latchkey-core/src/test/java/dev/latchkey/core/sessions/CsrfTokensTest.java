package dev.latchkey.core.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class CsrfTokensTest {

    private static final byte[] SECRET = filled(32, (byte) 7);
    private final CsrfTokens csrf = new CsrfTokens(SECRET);

    @Test
    void stableForTheSameSession() {
        // Depends on the session id only, so it survives every refresh-token rotation.
        assertThat(csrf.tokenFor("sess-1")).isEqualTo(csrf.tokenFor("sess-1"));
        assertThat(new CsrfTokens(SECRET.clone()).tokenFor("sess-1")).isEqualTo(csrf.tokenFor("sess-1"));
        assertThat(csrf.matches("sess-1", csrf.tokenFor("sess-1"))).isTrue();
    }

    @Test
    void isUnpaddedBase64UrlOfTheDocumentedHmac() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
        String expected = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(mac.doFinal("latchkey csrf v1|sess-1".getBytes(StandardCharsets.UTF_8)));

        assertThat(csrf.tokenFor("sess-1")).isEqualTo(expected).hasSize(43).matches("[A-Za-z0-9_-]+");
    }

    @Test
    void differsBySession() {
        assertThat(csrf.tokenFor("sess-1")).isNotEqualTo(csrf.tokenFor("sess-2"));
        assertThat(csrf.matches("sess-2", csrf.tokenFor("sess-1"))).isFalse();
    }

    @Test
    void differsBySecret() {
        CsrfTokens other = new CsrfTokens(filled(32, (byte) 8));

        assertThat(other.tokenFor("sess-1")).isNotEqualTo(csrf.tokenFor("sess-1"));
        assertThat(other.matches("sess-1", csrf.tokenFor("sess-1"))).isFalse();
    }

    @Test
    void keepsItsOwnCopyOfTheSecret() {
        byte[] secret = filled(32, (byte) 7);
        CsrfTokens tokens = new CsrfTokens(secret);
        String before = tokens.tokenFor("sess-1");
        Arrays.fill(secret, (byte) 0);

        assertThat(tokens.tokenFor("sess-1")).isEqualTo(before);
    }

    @Test
    void rejectsTamperedTokens() {
        String token = csrf.tokenFor("sess-1");
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            String tampered = token.substring(0, i) + (c == 'A' ? 'B' : 'A') + token.substring(i + 1);
            assertThat(csrf.matches("sess-1", tampered)).as("position %d", i).isFalse();
        }
        assertThat(csrf.matches("sess-1", token.substring(1))).isFalse();
        assertThat(csrf.matches("sess-1", token + "A")).isFalse();
        assertThat(csrf.matches("sess-1", token + "=")).isFalse();
        assertThat(csrf.matches("sess-1", token.repeat(100))).isFalse();
        assertThat(csrf.matches("sess-1", token.substring(0, 42) + "é")).isFalse();
    }

    @Test
    void rejectsEmptyAndNull() {
        String token = csrf.tokenFor("sess-1");

        assertThat(csrf.matches("sess-1", "")).isFalse();
        assertThat(csrf.matches("sess-1", null)).isFalse();
        assertThat(csrf.matches(null, token)).isFalse();
        assertThat(csrf.matches(null, null)).isFalse();
    }

    @Test
    void refusesShortOrMissingSecrets() {
        assertThatThrownBy(() -> new CsrfTokens(new byte[31])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CsrfTokens(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CsrfTokens(null)).isInstanceOf(NullPointerException.class);
        assertThat(new CsrfTokens(new byte[64]).tokenFor("sess-1")).hasSize(43);
    }

    private static byte[] filled(int length, byte value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, value);
        return bytes;
    }
}
