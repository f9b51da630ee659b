package dev.latchkey.server.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.RSAKey;
import dev.latchkey.core.tokens.AccessTokenIssuer;
import dev.latchkey.core.tokens.AccessTokenVerifier;
import dev.latchkey.core.tokens.KeyRing;
import dev.latchkey.core.tokens.SigningKey;
import dev.latchkey.core.tokens.TokenSettings;
import dev.latchkey.core.tokens.TokenVerification;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeySourceTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void pkcs8PemRoundTripKeepsTheKeyAndItSigns() {
        SigningKey original = SigningKey.generateRsa(T0);
        String pem = SigningKeySource.toPkcs8Pem((RSAKey) original.privateJwk());
        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");

        SigningKey loaded = SigningKeySource.fromPem(pem, T0);

        assertThat(loaded.kid()).isEqualTo(original.kid());
        assertThat(loaded.algorithm()).isEqualTo(JWSAlgorithm.RS256);
        assertThat(loaded.publicJwk().toJSONObject()).isEqualTo(original.publicJwk().toJSONObject());
        assertSignsAndVerifies(loaded);
    }

    @Test
    void pkcs1RsaPemLoads() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        String pem = pem(gen.generateKeyPair());
        assertThat(pem).contains("BEGIN RSA PRIVATE KEY");

        SigningKey loaded = SigningKeySource.fromPem(pem, T0);
        assertThat(loaded.algorithm()).isEqualTo(JWSAlgorithm.RS256);
        assertSignsAndVerifies(loaded);
    }

    @Test
    void ecSec1PemWithoutPublicPointLoadsAsEs256() {
        // throwaway test-only key: `openssl ec -no_public` output (SEC1 with the curve, without the public point)
        String pem = """
                -----BEGIN EC PRIVATE KEY-----
                MDECAQEEIF15hRlYSX1Q2bNfLEt0NMxqIGNBe1nh8YmNiTZi3P/7oAoGCCqGSM49
                AwEH
                -----END EC PRIVATE KEY-----
                """;
        SigningKey loaded = SigningKeySource.fromPem(pem, T0);
        assertThat(loaded.algorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertSignsAndVerifies(loaded);
    }

    @Test
    void ecP256Pkcs8PemLoadsAsEs256() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = gen.generateKeyPair();
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";

        SigningKey loaded = SigningKeySource.fromPem(pem, T0);
        assertThat(loaded.algorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(loaded.publicJwk().toECKey().toECPublicKey()).isEqualTo(pair.getPublic());
        assertSignsAndVerifies(loaded);
    }

    @Test
    void ecSec1PemWithPublicPointLoads() throws Exception {
        // the shape `openssl ecparam -genkey` writes
        // throwaway test-only key, generated with `openssl ecparam -name prime256v1 -genkey -noout`
        String pem = """
                -----BEGIN EC PRIVATE KEY-----
                MHcCAQEEIF15hRlYSX1Q2bNfLEt0NMxqIGNBe1nh8YmNiTZi3P/7oAoGCCqGSM49
                AwEHoUQDQgAEu5tP26+YcMqJuYzoHQj4uJNLzComZGoCx217aNOuGtT37oJNjHaN
                ceoZrDWkl/8mqZAzh0xNhBcNFa6ZWvighQ==
                -----END EC PRIVATE KEY-----
                """;
        SigningKey loaded = SigningKeySource.fromPem(pem, T0);
        assertThat(loaded.algorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertSignsAndVerifies(loaded);
    }

    @Test
    void garbageOrPublicOnlyPemIsRefusedWithOneClearLine() throws Exception {
        String garbage = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----\n";
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        StringWriter publicPem = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(publicPem)) {
            writer.writeObject(gen.generateKeyPair().getPublic());
        }
        for (String bad : List.of(garbage, "hello", "", publicPem.toString(),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n")) {
            assertThatThrownBy(() -> SigningKeySource.fromPem(bad, T0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").startsWith("Signing key PEM")
                            .doesNotContain("bm90IGEga2V5"));
        }
    }

    @Test
    void missingOrGarbageFileIsNamedInTheError() throws Exception {
        Path missing = dir.resolve("nope.pem");
        assertThatThrownBy(() -> SigningKeySource.fromPemFile(missing, T0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Signing key file " + missing + " does not exist");

        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a key");
        assertThatThrownBy(() -> SigningKeySource.fromPemFile(garbage, T0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Signing key file " + garbage + ": ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));

        assertThatThrownBy(() -> SigningKeySource.fromPemFile(dir, T0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Signing key file " + dir + " cannot be read");
    }

    @Test
    void devKeyIsGeneratedOwnerOnlyAndReusedAfterRestart() throws Exception {
        Path dataDir = dir.resolve("data");
        SigningKey first = SigningKeySource.loadOrGenerateDevKey(dataDir, CLOCK);

        Path file = dataDir.resolve("signing-key.pem");
        assertThat(file).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----");
        try (var files = Files.list(dataDir)) {
            assertThat(files).containsExactly(file); // no temporary file left behind
        }

        SigningKey afterRestart = SigningKeySource.loadOrGenerateDevKey(dataDir, CLOCK);
        assertThat(afterRestart.kid()).isEqualTo(first.kid());
        assertThat(afterRestart.publicJwk().toJSONObject()).isEqualTo(first.publicJwk().toJSONObject());
    }

    @Test
    void unreadableExistingDevKeyIsReportedNotOverwritten() throws Exception {
        Path file = Files.writeString(dir.resolve("signing-key.pem"), "garbage");
        assertThatThrownBy(() -> SigningKeySource.loadOrGenerateDevKey(dir, CLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString());
        assertThat(Files.readString(file)).isEqualTo("garbage");
    }

    private static String pem(KeyPair pair) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(pair.getPrivate());
        }
        return out.toString();
    }

    private static void assertSignsAndVerifies(SigningKey key) {
        KeyRing ring = KeyRing.of(List.of(key));
        TokenSettings settings = TokenSettings.of("http://localhost:8080", "latchkey", "latchkey-web");
        String token = new AccessTokenIssuer(() -> ring, settings, CLOCK).issue("u", "member", "s").value();
        assertThat(new AccessTokenVerifier(() -> ring, settings, CLOCK).verify(token))
                .isInstanceOf(TokenVerification.Valid.class);
    }
}
