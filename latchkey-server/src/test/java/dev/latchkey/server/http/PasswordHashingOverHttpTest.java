package dev.latchkey.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.server.Browser;
import dev.latchkey.server.Client;
import dev.latchkey.testkit.MutableClock;
import dev.latchkey.server.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** bcrypt's 72-byte trap and the upgrade of old hashes at login, end to end on a real database. */
class PasswordHashingOverHttpTest {
    static final String SHARED_PREFIX = "a long passphrase that keeps going and going until it passes seventy-two bytes ";

    @Test
    void twoLongPasswordsSharingTheFirst72BytesDoNotBothLogIn() throws Exception {
        Path data = TestServer.tempDirectory();
        String email = "trap-" + System.nanoTime() + "@example.com";
        String real = SHARED_PREFIX + "and then the real ending";
        String impostor = SHARED_PREFIX + "and then a different ending";
        assertThat(SHARED_PREFIX.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isGreaterThan(72);

        try (TestServer bcrypt = TestServer.start(null, data, new MutableClock(),
                Map.of("LATCHKEY_PASSWORD_HASH", "bcrypt", "LATCHKEY_BCRYPT_COST", "10"))) {
            Client client = new Client(bcrypt.baseUrl());
            assertThat(new Browser(client).register(email, real).status()).isEqualTo(201);
            assertThat(storedHash(data, email)).startsWith("$2b$10$");
            assertThat(new Browser(client).login(email, impostor).status()).isEqualTo(401);
            assertThat(new Browser(client).login(email, real).status()).isEqualTo(200);
        }

        // The configured algorithm changes: the bcrypt hash still verifies and is upgraded at login.
        try (TestServer argon2 = TestServer.start(null, data, new MutableClock(), Map.of())) {
            Client client = new Client(argon2.baseUrl());
            assertThat(new Browser(client).login(email, impostor).status()).isEqualTo(401);
            assertThat(storedHash(data, email)).startsWith("$2b$10$");
            assertThat(new Browser(client).login(email, real).status()).isEqualTo(200);
            assertThat(storedHash(data, email)).startsWith("$argon2id$v=19$m=8192,t=1,p=1$");
            assertThat(new Browser(client).login(email, real).status()).isEqualTo(200);
            assertThat(new Browser(client).login(email, impostor).status()).isEqualTo(401);
        }
    }

    private static String storedHash(Path data, String email) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("latchkey.db"));
             PreparedStatement s = c.prepareStatement("SELECT password_hash FROM users WHERE email = ?")) {
            s.setString(1, email);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }
}
