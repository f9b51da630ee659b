package dev.latchkey.core.passwords;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class CommonPasswordsTest {

    @Test
    void bundledListContainsWellKnownBreachedPasswordsCaseInsensitively() {
        CommonPasswords bundled = CommonPasswords.bundled();

        assertThat(bundled.size()).isGreaterThan(10_000);
        assertThat(bundled.contains("passwordpassword")).isTrue();
        assertThat(bundled.contains("1qaz2wsx3edc4rfv")).isTrue();
        assertThat(bundled.contains("TrustNo1!")).isFalse();
        assertThat(bundled.contains("Baseball1")).isTrue();
        assertThat(bundled.contains("a perfectly ordinary passphrase")).isFalse();
        assertThat(CommonPasswords.bundled()).isSameAs(bundled);
    }

    @Test
    void bundledFileIsLowercasedSortedDeduplicatedAndAtLeastEightCharacters() throws IOException {
        List<String> lines;
        try (InputStream in = CommonPasswords.class.getResourceAsStream(CommonPasswords.RESOURCE)) {
            assertThat(in).isNotNull();
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        List<String> expected = new ArrayList<>(lines.stream().map(s -> s.toLowerCase(Locale.ROOT)).distinct().sorted().toList());

        assertThat(lines).isEqualTo(expected);
        assertThat(lines).allSatisfy(line -> assertThat(line.codePointCount(0, line.length())).isGreaterThanOrEqualTo(8));
    }

    @Test
    void ownListIsComparedCaseInsensitively() {
        CommonPasswords own = new CommonPasswords(List.of("Hunter2Hunter2"));

        assertThat(own.contains("hunter2hunter2")).isTrue();
        assertThat(own.contains("HUNTER2HUNTER2")).isTrue();
        assertThat(own.contains("hunter2hunter3")).isFalse();
    }
}
