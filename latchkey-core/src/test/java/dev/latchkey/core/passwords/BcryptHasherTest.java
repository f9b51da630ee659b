package dev.latchkey.core.passwords;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class BcryptHasherTest {

    private final BcryptHasher hasher = new BcryptHasher(10, new SecureRandom());

    @Test
    void roundTrip() {
        String hash = hasher.hash("correct horse battery staple");

        assertThat(hash).matches("\\$2b\\$10\\$[./A-Za-z0-9]{53}");
        assertThat(hasher.verify("correct horse battery staple", hash)).isTrue();
        assertThat(hasher.verify("correct horse battery stapl", hash)).isFalse();
    }

    @Test
    void defaultCostIsTwelveAndWritten2b() {
        BcryptHasher defaults = new BcryptHasher(BcryptHasher.DEFAULT_COST, new SecureRandom());

        assertThat(defaults.hash("correct horse battery staple")).startsWith("$2b$12$");
    }

    // Public vectors: jBCrypt/py-bcrypt suite ($2a$), passlib ($2a$/$2b$ for a Unicode password),
    // the PHP manual's password_verify example ($2y$).
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "\"\"|$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.",
        "abc|$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i",
        "~!@#$%^&*()      ~!@#$%^&*()PNBFRD|$2a$10$LgfYWkbzEvQ4JakH7rOvHe0y8pHKF9OaFgwUZ2q7W2FFZmZzJYlfS",
        "t\u00e1\u0411\u2113\u0259|$2a$05$Z17AXnnlpzddNUvnC6cZNOSwMA/8oNiKnHTHTwLlBijfucQQlHjaG",
        "t\u00e1\u0411\u2113\u0259|$2b$05$Z17AXnnlpzddNUvnC6cZNOSwMA/8oNiKnHTHTwLlBijfucQQlHjaG",
        "rasmuslerdorf|$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a",
    })
    void verifiesHashesFromOtherImplementations(String password, String hash) {
        assertThat(hasher.recognizes(hash)).isTrue();
        assertThat(hasher.verify(password, hash)).isTrue();
        assertThat(hasher.verify(password + "x", hash)).isFalse();
    }

    @Test
    void longPasswordsSharingTheFirst72BytesAreDifferentPasswords() {
        String prefix = "a".repeat(72);
        String one = prefix + "b".repeat(28);
        String other = prefix + "c".repeat(28);

        String hash = hasher.hash(one);

        assertThat(hasher.verify(one, hash)).isTrue();
        assertThat(hasher.verify(other, hash)).isFalse();
        assertThat(hasher.verify(prefix, hash)).isFalse();
    }

    @Test
    void upTo72BytesIsPlainStandardBcrypt() {
        String exactly72Bytes = "\u20ac".repeat(24); // 3 UTF-8 bytes each
        byte[] salt = new byte[16];
        String standard = OpenBSDBCrypt.generate("2b", exactly72Bytes.getBytes(StandardCharsets.UTF_8), salt, 4);

        assertThat(hasher.verify(exactly72Bytes, standard)).isTrue();
        assertThat(BcryptHasher.bcryptInput(exactly72Bytes)).hasSize(72);
        assertThat(BcryptHasher.bcryptInput(exactly72Bytes + "a")).hasSize(44);
    }

    @Test
    void importedHashOfATruncatedLongPasswordDoesNotVerify() {
        String longPassword = "x".repeat(80);
        byte[] salt = new byte[16];
        // what a truncating app stored: bcrypt of the first 72 bytes
        String imported = OpenBSDBCrypt.generate("2a", "x".repeat(72).getBytes(StandardCharsets.UTF_8), salt, 4);

        assertThat(hasher.verify(longPassword, imported)).isFalse();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
        "$2b$",
        "$2x$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.",  // crypt_blowfish bug variant
        "$2$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.",
        "$2a$6$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.",   // cost not two digits
        "$2a$03$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.",  // cost too low
        "$2a$32$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.",  // cost too high
        "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s",   // short
        "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s..", // long
        "$2a$06$DCq7YPn5Rq63x1Lad4cll!TV4S6ytwfsfvkgY8jIucDrjc8deX1s.",  // bad character
        "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
    })
    void malformedHashNeverVerifiesAndNeverThrows(String bad) {
        assertThat(hasher.verify("", bad)).isFalse();
        assertThat(hasher.needsRehash(bad)).isTrue();
    }

    @Test
    void needsRehashWhenCostDiffers() {
        String hash = hasher.hash("a long enough password");

        assertThat(hasher.needsRehash(hash)).isFalse();
        assertThat(hasher.needsRehash("$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a")).isFalse();
        assertThat(hasher.needsRehash("$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.")).isTrue();
        assertThat(new BcryptHasher(12, new SecureRandom()).needsRehash(hash)).isTrue();
    }

    @Test
    void unicodeIsHashedAsGivenWithoutNormalization() {
        String composed = "gr\u00fc\u00dfe aus K\u00f6ln \uD83C\uDF7A";
        String decomposed = "gru\u0308\u00dfe aus Ko\u0308ln \uD83C\uDF7A";
        String hash = hasher.hash(composed);

        assertThat(hasher.verify(composed, hash)).isTrue();
        assertThat(hasher.verify(decomposed, hash)).isFalse();
    }

    @Test
    void aStoredHashAboveTheMaximumCostIsAWrongPasswordWithoutRunningBcryptAndWarnsOnce() {
        List<String> warnings = new ArrayList<>();
        BcryptHasher capped = new BcryptHasher(10, new SecureRandom(), warnings::add);
        // the PHP manual's example at cost 31: bcrypt would run for hours before saying anything
        String cost31 = "$2y$31$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a";
        String cost17 = "$2y$17$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a";

        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            assertThat(capped.recognizes(cost31)).isTrue();
            assertThat(capped.verify("rasmuslerdorf", cost31)).isFalse();
            assertThat(capped.verify("rasmuslerdorf", cost17)).isFalse();
            assertThat(capped.verify("rasmuslerdorf", cost31)).isFalse();
        });
        assertThat(warnings).singleElement().asString().contains("cost 31").contains("above the 16");
        assertThat(BcryptHasher.MAX_COST).isEqualTo(16);
    }

    @Test
    void importsAreRefusedAboveTheMaximumCostInOneLine() {
        String hash = "$2y$%02d$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a";

        assertThat(ImportedHashes.problem(hash.formatted(4))).isEmpty();
        assertThat(ImportedHashes.problem(hash.formatted(16))).isEmpty();
        assertThat(ImportedHashes.problem(hash.formatted(17))).hasValueSatisfying(problem -> assertThat(problem)
                .startsWith("bcrypt cost 17 is above 16, the most Latchkey verifies").doesNotContain("\n"));
        assertThat(ImportedHashes.problem(hash.formatted(31))).hasValueSatisfying(problem -> assertThat(problem)
                .startsWith("bcrypt cost 31 is above 16"));
        assertThat(ImportedHashes.problem(hash.formatted(32))).hasValue("bcrypt cost 32 is out of range (4-31)");
    }

    @Test
    void configuredCostIsBounded() {
        assertThatThrownBy(() -> new BcryptHasher(9, new SecureRandom())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BcryptHasher(17, new SecureRandom())).isInstanceOf(IllegalArgumentException.class);
    }
}
