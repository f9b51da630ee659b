package dev.latchkey.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.latchkey.core.accounts.UserQuery;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The bootstrap admin from LATCHKEY_BOOTSTRAP_ADMIN_EMAIL/_PASSWORD: idempotent, never logged, checked against the policy. */
class BootstrapAdminTest {
    static final String EMAIL = "Boot@Example.com";
    static final String PASSWORD = "a bootstrap password long enough";

    final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void captureLogs() {
        logs.start();
        root.addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        root.detachAppender(logs);
    }

    @Test
    void createsTheAdminOnceAndLeavesItAloneOnLaterStarts() {
        Path data = TestServer.tempDirectory();
        Map<String, String> env = Map.of("LATCHKEY_BOOTSTRAP_ADMIN_EMAIL", EMAIL, "LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD", PASSWORD);
        String id;
        try (TestServer server = TestServer.start(null, data, Clock.systemUTC(), env)) {
            Browser admin = new Browser(new Client(server.baseUrl()));
            assertThat(admin.login(EMAIL, PASSWORD).json().get("user").get("role").asText()).isEqualTo("admin");
            id = admin.get("/api/me").json().get("id").asText();
        }
        Map<String, String> changed = new HashMap<>(env);
        changed.put("LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD", "another password that is long");
        try (TestServer server = TestServer.start(null, data, Clock.systemUTC(), changed)) {
            var users = server.server().database().users().list(new UserQuery(null, null, null, 10));
            assertThat(users).hasSize(1);
            assertThat(users.getFirst().id()).isEqualTo(id);
            Browser admin = new Browser(new Client(server.baseUrl()));
            assertThat(admin.login(EMAIL, PASSWORD).status()).as("the existing account is not changed").isEqualTo(200);
        }
        assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(m -> m.contains("created the bootstrap admin account"))
                .anyMatch(m -> m.contains("already exists"))
                .noneMatch(m -> m.contains(PASSWORD) || m.contains("another password"));
    }

    @Test
    void aPasswordThatBreaksThePolicyStopsTheStartWithOneLineNamingTheVariable() {
        for (Map.Entry<String, String> bad : Map.of(
                "short one", "must be at least 15 characters",
                "1234567887654321", "is too common: it appears in lists of breached passwords").entrySet()) {
            Map<String, String> env = new HashMap<>();
            env.put("PORT", "0");
            env.put("LATCHKEY_DATA_DIR", TestServer.tempDirectory().toString());
            env.put("LATCHKEY_BOOTSTRAP_ADMIN_EMAIL", EMAIL);
            env.put("LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD", bad.getKey());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();

            int exit = Main.run(env, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), "serve");

            assertThat(exit).isEqualTo(2);
            List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
            assertThat(lines).containsExactly(
                    "latchkey: configuration error: LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD: " + bad.getValue());
            assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage).noneMatch(m -> m.contains(bad.getKey()));
        }
    }
}
