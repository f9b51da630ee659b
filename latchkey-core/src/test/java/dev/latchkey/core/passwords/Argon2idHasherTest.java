package dev.latchkey.core.passwords;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class Argon2idHasherTest {

    private static final Argon2idParameters CHEAP = new Argon2idParameters(1024, 1, 1);
    private final Argon2idHasher hasher = new Argon2idHasher(CHEAP, new SecureRandom());

    @Test
    void roundTrip() {
        String hash = hasher.hash("correct horse battery staple");

        assertThat(hash).matches("\\$argon2id\\$v=19\\$m=1024,t=1,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
        assertThat(hasher.verify("correct horse battery staple", hash)).isTrue();
        assertThat(hasher.verify("correct horse battery stapl", hash)).isFalse();
        assertThat(hasher.verify("Correct horse battery staple", hash)).isFalse();
    }

    @Test
    void keepsAtMostTheConfiguredNumberOfMemoriesWhateverThreadsHash() throws Exception {
        Argon2idHasher bounded = new Argon2idHasher(CHEAP, new SecureRandom(), 2);
        String reference = bounded.hash("password", "somesalt".getBytes(StandardCharsets.US_ASCII));
        assertThat(bounded.idleMemories()).isEqualTo(1);

        // eight hashes at once on platform and virtual threads: each gets memory of its own,
        // and the results are those of a fresh computation (memory is wiped between hashes)
        List<Callable<String>> jobs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            jobs.add(() -> bounded.hash("password", "somesalt".getBytes(StandardCharsets.US_ASCII)));
        }
        try (ExecutorService platform = Executors.newFixedThreadPool(4);
             ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            for (ExecutorService executor : List.of(platform, virtual)) {
                for (Future<String> result : executor.invokeAll(jobs)) {
                    assertThat(result.get()).isEqualTo(reference);
                }
                assertThat(bounded.idleMemories()).isBetween(1, 2);
            }
        }

        Argon2idHasher keepsNone = new Argon2idHasher(CHEAP, new SecureRandom(), 0);
        assertThat(keepsNone.verify("password", reference)).isTrue();
        assertThat(keepsNone.idleMemories()).isZero();
        assertThatThrownBy(() -> new Argon2idHasher(CHEAP, new SecureRandom(), -1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void freshSaltEveryTime() {
        assertThat(hasher.hash("same password here")).isNotEqualTo(hasher.hash("same password here"));
    }

    // Vectors from the reference implementation's test suite (phc-winner-argon2 src/test.c).
    @ParameterizedTest
    @ValueSource(strings = {
        "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc",
        "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
    })
    void verifiesReferenceImplementationHashes(String reference) {
        assertThat(hasher.verify("password", reference)).isTrue();
        assertThat(hasher.verify("passwore", reference)).isFalse();
    }

    @Test
    void writesExactlyWhatTheReferenceImplementationWrites() {
        Argon2idHasher referenceParams = new Argon2idHasher(new Argon2idParameters(256, 2, 1), new SecureRandom());

        String hash = referenceParams.hash("password", "somesalt".getBytes(StandardCharsets.US_ASCII));

        assertThat(hash).isEqualTo("$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4");
    }

    @Test
    void owaspDefaults() {
        assertThat(Argon2idParameters.owasp()).isEqualTo(new Argon2idParameters(19456, 2, 1));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
        "$argon2id$",
        "$argon2i$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",       // argon2i
        "$argon2id$v=16$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",      // old version
        "$argon2id$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",           // no version
        "$argon2id$v=19$t=2,m=256,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",      // order
        "$argon2id$v=19$m=0256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",     // leading zero
        "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ=$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",     // padding
        "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHR$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",      // non-canonical base64
        "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4$",     // trailing $
        "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR-uIPnA4rEsF5h7TKyQwu9U1bMCHGi_4",      // url alphabet
        "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/",       // bad length
        "$argon2id$v=19$m=256,t=2,p=1$c29tZQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",           // salt too short
        "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$bmY2NQ",                                           // hash too short
        "$argon2id$v=19$m=256,t=2,p=1,keyid=x$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=256,t=0,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",      // t=0
        "$argon2id$v=19$m=7,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",        // m < 8p
        "$argon2id$v=19$m=9999999999,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=1048577,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", // > 1 GiB
        "$argon2id$v=19$m=256,t=101,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",    // t > 100
        "$argon2id$v=19$m=4096,t=2,p=65$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",    // p > 64
        "$2b$10$k87L/MF28Q673VKh8/cPi.SUl7MU/rWuSiIDDFayrKk/1tBsSQu4u",
        "not a hash",
    })
    void malformedOrAbsurdHashNeverVerifiesAndNeverThrows(String bad) {
        assertThat(hasher.verify("password", bad)).isFalse();
        assertThat(hasher.needsRehash(bad)).isTrue();
    }

    @Test
    void needsRehashWhenParametersDiffer() {
        String cheap = hasher.hash("some long password");
        Argon2idHasher stronger = new Argon2idHasher(new Argon2idParameters(2048, 1, 1), new SecureRandom());

        assertThat(hasher.needsRehash(cheap)).isFalse();
        assertThat(stronger.needsRehash(cheap)).isTrue();
        assertThat(stronger.verify("some long password", cheap)).isTrue();
        // 8-byte salt of the reference vector: readable, but not what Latchkey writes
        assertThat(new Argon2idHasher(new Argon2idParameters(256, 2, 1), new SecureRandom())
                .needsRehash("$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4"))
                .isTrue();
    }

    @Test
    void recognizesByPrefix() {
        assertThat(hasher.recognizes("$argon2id$v=19$whatever")).isTrue();
        assertThat(hasher.recognizes("$argon2i$v=19$m=256,t=2,p=1$c29tZXNhbHQ$x")).isFalse();
        assertThat(hasher.recognizes("$2b$12$x")).isFalse();
        assertThat(hasher.recognizes(null)).isFalse();
    }

    @Test
    void unicodeIsHashedAsGivenWithoutNormalization() {
        String composed = "caf\u00e9 au lait, s'il vous pla\u00eet \uD83D\uDD11";
        String decomposed = "cafe\u0301 au lait, s'il vous pla\u00eet \uD83D\uDD11";
        String hash = hasher.hash(composed);

        assertThat(hasher.verify(composed, hash)).isTrue();
        assertThat(hasher.verify(decomposed, hash)).isFalse();
    }

    @Test
    void unpairedSurrogateIsNotHashedAndNeverVerifies() {
        String hash = hasher.hash("pass?word and more");

        assertThatThrownBy(() -> hasher.hash("pass\uD800word and more")).isInstanceOf(IllegalArgumentException.class);
        assertThat(hasher.verify("pass\uD800word and more", hash)).isFalse();
    }

    @Test
    void parametersAreBounded() {
        assertThatThrownBy(() -> new Argon2idParameters(Argon2idParameters.MAX_MEMORY_KIB + 1, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Argon2idParameters(1024, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Argon2idParameters(1024, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Argon2idParameters(15, 1, 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
