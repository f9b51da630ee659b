package dev.latchkey.core.passwords;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PasswordPolicyTest {

    private static final String GRINNING = "\uD83D\uDE00"; // one code point, two UTF-16 units
    private final PasswordPolicy policy = new PasswordPolicy(15, new CommonPasswords(List.of("Correct Horse Battery")));

    @Test
    void minimumLengthBoundary() {
        assertThat(policy.check("a".repeat(14))).isEqualTo(new PasswordCheck.Rejected("must be at least 15 characters"));
        assertThat(policy.check("a".repeat(15))).isEqualTo(new PasswordCheck.Accepted());
    }

    @Test
    void lengthCountsCodePointsNotUtf16Units() {
        assertThat(policy.check(GRINNING.repeat(14))).isInstanceOf(PasswordCheck.Rejected.class);
        assertThat(policy.check(GRINNING.repeat(15))).isEqualTo(new PasswordCheck.Accepted());
        assertThat(policy.check(GRINNING.repeat(256))).isEqualTo(new PasswordCheck.Accepted());
        assertThat(policy.check(GRINNING.repeat(257))).isEqualTo(new PasswordCheck.Rejected("must be at most 256 characters"));
    }

    @Test
    void maximumLengthBoundary() {
        assertThat(policy.check("a".repeat(256))).isEqualTo(new PasswordCheck.Accepted());
        assertThat(policy.check("a".repeat(257))).isEqualTo(new PasswordCheck.Rejected("must be at most 256 characters"));
    }

    @Test
    void commonPasswordsAreRefusedWhateverTheirCase() {
        PasswordCheck.Rejected tooCommon = new PasswordCheck.Rejected("is too common: it appears in lists of breached passwords");

        assertThat(policy.check("correct horse battery")).isEqualTo(tooCommon);
        assertThat(policy.check("CORRECT HORSE BATTERY")).isEqualTo(tooCommon);
    }

    @Test
    void bundledListIsUsedByDefault() {
        PasswordPolicy defaults = PasswordPolicy.defaults();

        assertThat(defaults.minLength()).isEqualTo(15);
        assertThat(defaults.check("PasswordPassword")).isInstanceOf(PasswordCheck.Rejected.class);
        assertThat(new PasswordPolicy(8, CommonPasswords.bundled()).check("ILoveYou"))
                .isEqualTo(new PasswordCheck.Rejected("is too common: it appears in lists of breached passwords"));
    }

    @Test
    void noCompositionRulesAndNoTrimming() {
        assertThat(policy.check(" ".repeat(15))).isEqualTo(new PasswordCheck.Accepted());
        assertThat(policy.check("alllowercaseletters")).isEqualTo(new PasswordCheck.Accepted());
        // surrounding spaces are part of the password, so this is not the listed one
        assertThat(policy.check(" correct horse battery ")).isEqualTo(new PasswordCheck.Accepted());
        // and they count towards the length
        assertThat(policy.check(" " + "a".repeat(13) + " ")).isEqualTo(new PasswordCheck.Accepted());
    }

    @Test
    void unpairedSurrogateIsRefused() {
        assertThat(policy.check("a".repeat(15) + "\uD800")).isEqualTo(new PasswordCheck.Rejected("must be valid Unicode text"));
    }

    @Test
    void minimumLengthIsConfigurableDownToEight() {
        PasswordPolicy eight = new PasswordPolicy(8, new CommonPasswords(List.of()));

        assertThat(eight.check("a".repeat(7))).isEqualTo(new PasswordCheck.Rejected("must be at least 8 characters"));
        assertThat(eight.check("a".repeat(8))).isEqualTo(new PasswordCheck.Accepted());
        assertThatThrownBy(() -> new PasswordPolicy(7, new CommonPasswords(List.of())))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
