package dev.latchkey.core.passwords;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.core.passwords.PasswordHashing.Verification;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

class PasswordHashingTest {

    private static final String PASSWORD = "correct horse battery staple";
    private final SecureRandom random = new SecureRandom();
    private final Argon2idHasher argon2id = new Argon2idHasher(new Argon2idParameters(1024, 1, 1), random);
    private final BcryptHasher bcrypt = new BcryptHasher(10, random);
    private final PasswordHashing hashing = new PasswordHashing(argon2id, List.of(argon2id, bcrypt), random);

    @Test
    void hashesWithThePrimary() {
        assertThat(hashing.hash(PASSWORD)).startsWith("$argon2id$v=19$m=1024,t=1,p=1$");
    }

    @Test
    void currentHashMatchesWithoutUpgrade() {
        String stored = hashing.hash(PASSWORD);

        assertThat(hashing.verify(PASSWORD, stored)).isEqualTo(new Verification(true, false));
        assertThat(hashing.verify("wrong password!!", stored)).isEqualTo(new Verification(false, false));
    }

    @Test
    void bcryptHashVerifiesAndIsUpgradedToArgon2id() {
        String stored = bcrypt.hash(PASSWORD);

        assertThat(hashing.verify(PASSWORD, stored)).isEqualTo(new Verification(true, true));
        assertThat(hashing.verify("wrong password!!", stored)).isEqualTo(new Verification(false, false));
    }

    @Test
    void importedPhpBcryptHashVerifies() {
        assertThat(hashing.verify("rasmuslerdorf", "$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a"))
                .isEqualTo(new Verification(true, true));
    }

    @Test
    void argon2idHashWithOtherParametersIsUpgraded() {
        String stored = new Argon2idHasher(new Argon2idParameters(512, 1, 1), random).hash(PASSWORD);

        assertThat(hashing.verify(PASSWORD, stored)).isEqualTo(new Verification(true, true));
    }

    @Test
    void bcryptPrimaryUpgradesArgon2idHashes() {
        PasswordHashing bcryptFirst = new PasswordHashing(bcrypt, List.of(argon2id), random);

        assertThat(bcryptFirst.hash(PASSWORD)).startsWith("$2b$10$");
        assertThat(bcryptFirst.verify(PASSWORD, argon2id.hash(PASSWORD))).isEqualTo(new Verification(true, true));
        assertThat(bcryptFirst.verify(PASSWORD, bcrypt.hash(PASSWORD))).isEqualTo(new Verification(true, false));
    }

    @Test
    void unknownOrMissingHashDoesNotMatchAndDoesNotThrow() {
        assertThat(hashing.verify(PASSWORD, "$1$md5crypt$whatever")).isEqualTo(new Verification(false, false));
        assertThat(hashing.verify(PASSWORD, "")).isEqualTo(new Verification(false, false));
        assertThat(hashing.verify(PASSWORD, null)).isEqualTo(new Verification(false, false));
        assertThat(hashing.verify(PASSWORD, "$argon2id$garbage")).isEqualTo(new Verification(false, false));
    }

    @Test
    void dummyVerificationRuns() {
        hashing.verifyDummy(PASSWORD);
        hashing.verifyDummy("");
    }

    @Test
    void verificationCannotAskToRehashAMismatch() {
        assertThatThrownBy(() -> new Verification(false, true)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void configuredByAlgorithmName() {
        assertThat(PasswordHashing.configured("argon2id", 1024, 1, 1, 10, random).hash(PASSWORD))
                .startsWith("$argon2id$v=19$m=1024,t=1,p=1$");
        PasswordHashing bcryptConfigured = PasswordHashing.configured("BCRYPT", 1024, 1, 1, 10, random);
        assertThat(bcryptConfigured.hash(PASSWORD)).startsWith("$2b$10$");
        assertThat(bcryptConfigured.verify(PASSWORD, argon2id.hash(PASSWORD))).isEqualTo(new Verification(true, true));

        assertThatThrownBy(() -> PasswordHashing.configured("scrypt", 1024, 1, 1, 10, random))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("argon2id or bcrypt");
        assertThatThrownBy(() -> PasswordHashing.configured("bcrypt", 1024, 1, 1, 40, random))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void defaultIsArgon2idWithOwaspParameters() {
        PasswordHashing defaults = PasswordHashing.argon2idDefault(random);

        assertThat(defaults.hash(PASSWORD)).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
    }
}
