package dev.latchkey.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latchkey.core.audit.AuditEvent;
import dev.latchkey.core.audit.AuditEventType;
import dev.latchkey.core.audit.AuditOutcome;
import dev.latchkey.server.Browser;
import dev.latchkey.server.Client;
import dev.latchkey.server.Client.Reply;
import dev.latchkey.testkit.MutableClock;
import dev.latchkey.server.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/**
 * The audit trail over real HTTP: each action records its event (row and JSON log line), the
 * admin endpoint filters and pages newest first, and no password, raw token or CSRF token ever
 * reaches a log line or an audit row. Runs on SQLite and PostgreSQL through the subclasses.
 *
 * <p>Log output is captured from the root logger with Latchkey's own loggers opened to TRACE
 * (third-party loggers stay at their configured levels).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AuditTrailTest {
    static final String PASSWORD = "correct horse battery staple";
    static final String WRONG = "a wrong but long password";
    static final String NEW_PASSWORD = "a brand new long passphrase";
    static final String ADMIN_EMAIL = "admin-audit@example.com";
    static final String ADMIN_PASSWORD = "the admin's own long passphrase";
    private static final AtomicInteger USERS = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();

    final MutableClock clock = new MutableClock();
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    final Map<String, Level> savedLevels = new java.util.HashMap<>();
    final Set<String> secrets = new HashSet<>();
    TestServer server;
    Client client;
    Browser admin;

    abstract TestServer.Engine engine();

    @BeforeAll
    void start() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        for (String name : new String[] {"dev.latchkey", "latchkey"}) {
            Logger logger = context.getLogger(name);
            savedLevels.put(name, logger.getLevel());
            logger.setLevel(Level.TRACE);
        }
        logs.start();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(logs);

        server = TestServer.start(engine(), clock, Map.of(
                "LATCHKEY_BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL,
                "LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD,
                "LATCHKEY_RATE_LIMIT_PASSWORD_PER_USER", "2/1h"));
        client = new Client(server.baseUrl());
        admin = new Browser(client);
        assertThat(admin.login(ADMIN_EMAIL, ADMIN_PASSWORD).status()).isEqualTo(200);
        remember(admin);
        secrets.add(ADMIN_PASSWORD);
    }

    @AfterAll
    void stop() {
        server.close();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(logs);
        savedLevels.forEach((name, level) -> context.getLogger(name).setLevel(level));
    }

    static String newEmail() {
        return "audit" + USERS.incrementAndGet() + "-" + System.nanoTime() + "@example.com";
    }

    void remember(Browser browser) {
        if (browser.accessToken != null) {
            secrets.add(browser.accessToken);
        }
        if (browser.refreshToken != null && !browser.refreshToken.isEmpty()) {
            secrets.add(browser.refreshToken);
        }
        if (browser.csrfToken != null && !browser.csrfToken.isEmpty()) {
            secrets.add(browser.csrfToken);
        }
    }

    JsonNode audit(String query) {
        Reply reply = admin.get("/api/admin/audit" + query);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    List<JsonNode> eventsOf(String userId) {
        List<JsonNode> events = new ArrayList<>();
        audit("?userId=" + userId + "&limit=200").get("events").forEach(events::add);
        return events;
    }

    static JsonNode only(List<JsonNode> events, String type) {
        List<JsonNode> matching = events.stream().filter(e -> e.get("type").asText().equals(type)).toList();
        assertThat(matching).as("events of type " + type).hasSize(1);
        return matching.getFirst();
    }

    /** Register, login ok and failed, refresh, reuse, logout, logout-all, session revoke, password change, limits. */
    @Test
    void everyActionRecordsItsEventAndNoSecretIsEverLoggedOrStored() {
        String email = newEmail();
        Browser first = new Browser(client);
        Reply registered = first.register(email, PASSWORD);
        assertThat(registered.status()).isEqualTo(201);
        remember(first);
        String userId = registered.json().get("user").get("id").asText();
        String firstSession = sessionOf(first);

        assertThat(client.postJson("/auth/login", Client.json("email", email, "password", WRONG)).status()).isEqualTo(401);
        Browser second = new Browser(client);
        assertThat(second.login(email, PASSWORD).status()).isEqualTo(200);
        remember(second);

        // refresh twice, then present the first token again: reuse
        String oldest = second.refreshToken;
        assertThat(second.refresh().status()).isEqualTo(200);
        remember(second);
        assertThat(second.refresh().status()).isEqualTo(200);
        remember(second);
        Reply reused = second.refreshWith(oldest);
        assertThat(reused.code()).isEqualTo("REFRESH_TOKEN_REUSED");
        String secondSession = sessionOf(second);

        Browser third = new Browser(client);
        assertThat(third.login(email, PASSWORD).status()).isEqualTo(200);
        remember(third);
        assertThat(third.logout().status()).isEqualTo(204);

        Browser fourth = new Browser(client);
        assertThat(fourth.login(email, PASSWORD).status()).isEqualTo(200);
        remember(fourth);
        String fourthSession = sessionOf(fourth);
        assertThat(client.delete("/auth/sessions/" + fourthSession, "Authorization", "Bearer " + first.accessToken).status())
                .isEqualTo(204);

        assertThat(client.postJson("/auth/password", Client.json("currentPassword", WRONG, "newPassword", NEW_PASSWORD),
                "Authorization", "Bearer " + first.accessToken).status()).isEqualTo(401);
        assertThat(client.postJson("/auth/password", Client.json("currentPassword", PASSWORD, "newPassword", NEW_PASSWORD),
                "Authorization", "Bearer " + first.accessToken).status()).isEqualTo(204);
        assertThat(client.postJson("/auth/password", Client.json("currentPassword", NEW_PASSWORD, "newPassword", PASSWORD),
                "Authorization", "Bearer " + first.accessToken).status()).isEqualTo(429);

        assertThat(client.post("/auth/logout-all", "Authorization", "Bearer " + first.accessToken).status()).isEqualTo(204);
        secrets.addAll(List.of(PASSWORD, WRONG, NEW_PASSWORD));

        List<JsonNode> events = eventsOf(userId);
        JsonNode register = only(events, "register");
        assertThat(register.get("outcome").asText()).isEqualTo("success");
        assertThat(register.get("sessionId").asText()).isEqualTo(firstSession);
        assertThat(register.get("ip").asText()).isIn("127.0.0.1", "::1");
        assertThat(register.get("userAgent").asText()).isNotBlank();
        JsonNode failure = only(events, "login.failure");
        assertThat(failure.get("outcome").asText()).isEqualTo("failure");
        assertThat(failure.get("details").get("reason").asText()).isEqualTo("invalid_credentials");
        assertThat(events.stream().filter(e -> e.get("type").asText().equals("login.success"))).hasSize(3);
        assertThat(events.stream().filter(e -> e.get("type").asText().equals("refresh"))).hasSize(2);
        JsonNode reuse = only(events, "refresh.reuse_detected");
        assertThat(reuse.get("sessionId").asText()).isEqualTo(secondSession);
        assertThat(reuse.get("outcome").asText()).isEqualTo("failure");
        assertThat(only(events, "logout").get("outcome").asText()).isEqualTo("success");
        assertThat(only(events, "session.revoke").get("sessionId").asText()).isEqualTo(fourthSession);
        List<JsonNode> changes = events.stream().filter(e -> e.get("type").asText().equals("password.change")).toList();
        assertThat(changes).extracting(e -> e.get("outcome").asText()).containsExactlyInAnyOrder("success", "failure");
        JsonNode limited = only(events, "rate_limited");
        assertThat(limited.get("outcome").asText()).isEqualTo("denied");
        assertThat(limited.get("details").get("limit").asText()).isEqualTo("password-user");
        assertThat(only(events, "logout.all").get("details").get("sessionsEnded").asText()).isNotBlank();

        // newest first
        List<String> times = events.stream().map(e -> e.get("occurredAt").asText()).toList();
        assertThat(times).isSortedAccordingTo((a, b) -> Instant.parse(b).compareTo(Instant.parse(a)));

        // one JSON line per event on latchkey.audit
        List<JsonNode> lines = logs.list.stream().filter(e -> e.getLoggerName().equals("latchkey.audit"))
                .map(e -> parse(e.getFormattedMessage())).filter(n -> userId.equals(n.path("userId").asText(null))).toList();
        assertThat(lines).hasSize(events.size());
        assertThat(lines).allMatch(n -> n.get("event").asText().equals("audit") && n.has("type") && n.has("occurredAt"));

        // no secret anywhere: not in any log line, not in any audit row
        assertThat(secrets).hasSizeGreaterThan(10);
        List<String> logged = logs.list.stream().map(e -> e.getFormattedMessage()
                + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()))).toList();
        String rows = audit("?limit=200").toString();
        for (String secret : secrets) {
            assertThat(logged).as("log lines").noneMatch(line -> line.contains(secret));
            assertThat(rows).as("audit rows").doesNotContain(secret);
        }
    }

    @Test
    void theAdminEndpointFiltersByTypeAndPagesNewestFirst() {
        String email = newEmail();
        Browser browser = new Browser(client);
        Reply registered = browser.register(email, PASSWORD);
        String userId = registered.json().get("user").get("id").asText();
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMillis(5));
            assertThat(browser.refresh().status()).isEqualTo(200);
        }

        JsonNode page1 = audit("?userId=" + userId + "&type=refresh&limit=2");
        assertThat(page1.get("events")).hasSize(2);
        assertThat(page1.get("nextCursor").asText()).isNotBlank();
        JsonNode page2 = audit("?userId=" + userId + "&type=refresh&limit=2&cursor=" + page1.get("nextCursor").asText());
        JsonNode page3 = audit("?userId=" + userId + "&type=refresh&limit=2&cursor=" + page2.get("nextCursor").asText());
        assertThat(page3.get("events")).hasSize(1);
        assertThat(page3.get("nextCursor").isNull()).isTrue();
        List<Long> ids = new ArrayList<>();
        for (JsonNode page : List.of(page1, page2, page3)) {
            page.get("events").forEach(e -> {
                assertThat(e.get("type").asText()).isEqualTo("refresh");
                assertThat(e.get("userId").asText()).isEqualTo(userId);
                ids.add(e.get("id").asLong());
            });
        }
        assertThat(ids).hasSize(5).doesNotHaveDuplicates().isSortedAccordingTo((a, b) -> Long.compare(b, a));

        assertThat(audit("?userId=" + userId + "&type=register").get("events")).hasSize(1);
        assertThat(admin.get("/api/admin/audit?type=nonsense").code()).isEqualTo("VALIDATION_FAILED");
        assertThat(admin.get("/api/admin/audit?limit=0").code()).isEqualTo("VALIDATION_FAILED");
        assertThat(admin.get("/api/admin/audit?cursor=%21%21").code()).isEqualTo("VALIDATION_FAILED");
        assertThat(admin.get("/api/admin/audit?limit=201").json().get("fields").get("limit").asText())
                .isEqualTo("must be a whole number from 1 to 200");
        assertThat(admin.get("/api/admin/audit?limit=%20&cursor=").status()).isEqualTo(200);
    }

    @Test
    void everyAdministrativeActionRecordsItsEventNamingTheAdmin() {
        String adminId = admin.get("/api/me").json().get("id").asText();
        Browser target = new Browser(client);
        String userId = target.register(newEmail(), PASSWORD).json().get("user").get("id").asText();

        assertThat(client.send("PUT", "/api/admin/users/" + userId + "/role", "application/json",
                "{\"role\":\"admin\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "Authorization", "Bearer " + admin.accessToken).status()).isEqualTo(200);
        for (String action : new String[] {"logout", "disable", "enable"}) {
            assertThat(client.post("/api/admin/users/" + userId + "/" + action, "Authorization", "Bearer " + admin.accessToken)
                    .status()).as(action).isEqualTo(204);
        }
        assertThat(client.delete("/api/admin/users/" + userId, "Authorization", "Bearer " + admin.accessToken).status())
                .isEqualTo(204);

        List<JsonNode> events = eventsOf(userId);
        assertThat(only(events, "role.change").get("details").get("role").asText()).isEqualTo("admin");
        for (String type : new String[] {"role.change", "logout.forced", "user.disable", "user.enable", "user.delete"}) {
            JsonNode event = only(events, type);
            assertThat(event.get("details").get("by").asText()).as(type).isEqualTo(adminId);
            assertThat(event.get("outcome").asText()).isEqualTo("success");
        }
    }

    @Test
    void onlyAdminsReadTheTrail() {
        Browser user = new Browser(client);
        assertThat(user.register(newEmail(), PASSWORD).status()).isEqualTo(201);
        Reply forbidden = user.get("/api/admin/audit");
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.code()).isEqualTo("FORBIDDEN");
        Reply anonymous = client.get("/api/admin/audit");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.code()).isEqualTo("TOKEN_MISSING");
    }

    @Test
    void retentionPurgesOnlyEventsOlderThanTheCutoff() {
        var store = server.server().database().audit();
        Instant now = clock.instant();
        String marker = "purge-" + System.nanoTime();
        store.insertAll(List.of(
                AuditEvent.of(now.minus(Duration.ofDays(100)), AuditEventType.USER_DELETE, AuditOutcome.SUCCESS).withUser(marker),
                AuditEvent.of(now.minus(Duration.ofDays(10)), AuditEventType.ROLE_CHANGE, AuditOutcome.SUCCESS).withUser(marker)
                        .withDetail("role", "admin")));
        assertThat(audit("?userId=" + marker).get("events")).hasSize(2);

        int purged = 0;
        int batch;
        do {
            batch = store.purgeBefore(now.minus(Duration.ofDays(90)), 1);
            purged += batch;
        } while (batch == 1);
        assertThat(purged).isGreaterThanOrEqualTo(1);
        JsonNode left = audit("?userId=" + marker).get("events");
        assertThat(left).hasSize(1);
        assertThat(left.get(0).get("type").asText()).isEqualTo("role.change");
        assertThat(left.get(0).get("details").get("role").asText()).isEqualTo("admin");
    }

    private static String sessionOf(Browser browser) {
        return dev.latchkey.server.SessionRows.sessionIdOf(browser.accessToken);
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
