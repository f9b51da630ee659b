package dev.latchkey.server.keys;

import static dev.latchkey.server.keys.KeyRotationTest.jwksKids;
import static dev.latchkey.server.keys.KeyRotationTest.me;
import static dev.latchkey.server.keys.KeyRotationTest.registered;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.core.tokens.SigningKey;
import dev.latchkey.core.tokens.SigningKeyStore.StoredKey;
import dev.latchkey.server.Client;
import dev.latchkey.testkit.MutableClock;
import dev.latchkey.server.TestServer;
import dev.latchkey.server.config.ConfigException;
import dev.latchkey.server.config.LatchkeyConfig;
import dev.latchkey.store.Database;
import dev.latchkey.store.DatabaseSettings;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Keys at rest (encryption under the key-encryption key) and operator-managed keys. */
class KeysAtRestTest {

    static String newKek() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    static List<String> storedPrivateKeys(Path dataDir) throws SQLException {
        try (Database db = Database.open(DatabaseSettings.embedded(dataDir));
             Connection c = db.dataSource().getConnection();
             Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT private_key FROM signing_keys")) {
            List<String> values = new ArrayList<>();
            while (rows.next()) {
                values.add(rows.getString(1));
            }
            return values;
        }
    }

    @Test
    void withAKeyEncryptionKeyPrivateKeysAreSealedAndAWrongOneStopsTheStart() throws Exception {
        Path data = TestServer.tempDirectory();
        MutableClock clock = new MutableClock();
        // first without: plaintext PEM (the development default)
        try (TestServer server = TestServer.start(null, data, clock, Map.of())) {
            assertThat(storedPrivateKeys(data)).singleElement().asString().contains("PRIVATE KEY");
        }
        String kek = newKek();
        try (TestServer server = TestServer.start(null, data, clock, Map.of("LATCHKEY_KEY_ENCRYPTION_KEY", kek))) {
            server.server().keys().rotate(com.nimbusds.jose.JWSAlgorithm.ES256);
            Client client = new Client(server.baseUrl());
            assertThat(me(client, registered(client).accessToken)).isEqualTo(200);
        }
        List<String> stored = storedPrivateKeys(data);
        assertThat(stored).hasSize(2).allSatisfy(value -> assertThat(value).doesNotContain("PRIVATE KEY")
                .startsWith("lk-aesgcm-v1:"));

        // the same KEK opens them again
        TestServer.start(null, data, clock, Map.of("LATCHKEY_KEY_ENCRYPTION_KEY", kek)).close();

        assertThatThrownBy(() -> TestServer.start(null, data, clock, Map.of("LATCHKEY_KEY_ENCRYPTION_KEY", newKek())))
                .hasMessageStartingWith("LATCHKEY_KEY_ENCRYPTION_KEY does not decrypt signing key ")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> TestServer.start(null, data, clock, Map.of()))
                .hasMessageContaining("is encrypted, but LATCHKEY_KEY_ENCRYPTION_KEY is not set")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> LatchkeyConfig.from(Map.of("LATCHKEY_KEY_ENCRYPTION_KEY", "c2hvcnQ=")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("32 bytes");
    }

    @Test
    void anOperatorKeyIsImportedOnceAndANewFileRotatesWithTheOldKeyPublishedUntilItsTokensExpire() throws Exception {
        Path data = TestServer.tempDirectory();
        MutableClock clock = new MutableClock();
        Map<String, String> env = new HashMap<>(KeyRotationTest.SHORT);
        SigningKey k1 = SigningKey.generateRsa(Instant.now());
        SigningKey k2 = SigningKey.generateRsa(Instant.now());
        env.put("LATCHKEY_SIGNING_KEY", SigningKeySource.toPkcs8Pem(k1.privateJwk()));
        String oldToken;
        try (TestServer server = TestServer.start(null, data, clock, env)) {
            assertThat(server.server().keys().get().current().kid()).isEqualTo(k1.kid());
            oldToken = registered(new Client(server.baseUrl())).accessToken;
        }
        try (TestServer again = TestServer.start(null, data, clock, env)) { // same key: idempotent
            assertThat(again.server().keys().list()).hasSize(1);
        }
        env.put("LATCHKEY_SIGNING_KEY", SigningKeySource.toPkcs8Pem(k2.privateJwk()));
        try (TestServer server = TestServer.start(null, data, clock, env)) {
            Client client = new Client(server.baseUrl());
            assertThat(server.server().keys().get().current().kid()).isEqualTo(k2.kid());
            assertThat(jwksKids(client)).containsExactlyInAnyOrder(k1.kid(), k2.kid());
            assertThat(me(client, oldToken)).isEqualTo(200);
            assertThat(server.server().keys().list()).extracting(i -> i.key().source()).containsOnly(StoredKey.CONFIGURED);

            clock.advance(Duration.ofSeconds(67));
            assertThat(jwksKids(client)).containsExactly(k2.kid());
        }
        assertThatThrownBy(() -> LatchkeyConfig.from(Map.of("LATCHKEY_SIGNING_KEY_FILE", "/x.pem",
                "LATCHKEY_KEY_ROTATION_INTERVAL", "30d")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("operator-managed");
    }
}
