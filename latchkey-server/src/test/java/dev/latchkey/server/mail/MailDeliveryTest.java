package dev.latchkey.server.mail;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.latchkey.server.Browser;
import dev.latchkey.server.Client;
import dev.latchkey.server.Client.Reply;
import dev.latchkey.testkit.MutableClock;
import dev.latchkey.server.TestServer;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * How mail leaves, as the log and the mailbox see it: SMTP down, development without SMTP (the
 * log), production without SMTP (a warning), the operator's templates, and login waiting for a
 * verified address.
 */
class MailDeliveryTest {
    static final String PASSWORD = "correct horse battery staple";
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    Logger mailLogger;
    Level savedLevel;

    @BeforeEach
    void captureMailLog() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        mailLogger = context.getLogger("latchkey.mail");
        savedLevel = mailLogger.getLevel();
        mailLogger.setLevel(Level.INFO);
        logs.start();
        mailLogger.addAppender(logs);
    }

    @AfterEach
    void release() {
        mailLogger.detachAppender(logs);
        mailLogger.setLevel(savedLevel);
    }

    ILoggingEvent awaitLog(Predicate<ILoggingEvent> wanted) {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            synchronized (logs) {
                for (ILoggingEvent event : List.copyOf(logs.list)) {
                    if (wanted.test(event)) {
                        return event;
                    }
                }
            }
            SmtpServer.sleep(20);
        }
        throw new AssertionError("no such log line; got " + logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
    }

    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void smtpDownIsOneClearErrorLineAndNeverA5xx() throws IOException {
        Map<String, String> env = Map.of("LATCHKEY_SMTP_URL", "smtp://127.0.0.1:" + closedPort(),
                "LATCHKEY_MAIL_FROM", "no-reply@latchkey.test");
        try (TestServer server = TestServer.start(TestServer.Engine.SQLITE, new MutableClock(), env)) {
            Client client = new Client(server.baseUrl());
            Browser browser = new Browser(client);
            assertThat(browser.register("down@example.com", PASSWORD).status()).isEqualTo(201);
            Reply reset = client.postJson("/auth/password-reset", Client.json("email", "down@example.com"));
            assertThat(reset.status()).isEqualTo(202);
            Reply again = client.post("/auth/verify-email/request", "Authorization", "Bearer " + browser.accessToken);
            assertThat(again.status()).isEqualTo(202);

            ILoggingEvent error = awaitLog(e -> e.getLevel() == Level.ERROR
                    && e.getFormattedMessage().contains("Reset your password"));
            assertThat(error.getFormattedMessage())
                    .contains("could not send").contains("down@example.com").contains("SMTP server")
                    .containsIgnoringCase("connect");
            assertThat(error.getThrowableProxy()).as("no stack trace").isNull();
            assertThat(error.getFormattedMessage()).doesNotContain("\n").doesNotContain("?reset=");
            awaitLog(e -> e.getLevel() == Level.ERROR && e.getFormattedMessage().contains("Confirm your email address"));
        }
    }

    @Test
    void withoutSmtpInDevelopmentTheMailGoesToTheLogClearlyMarked() {
        try (TestServer server = TestServer.start(TestServer.Engine.SQLITE, new MutableClock(), Map.of())) {
            assertThat(server.server().mail().outbox().mode()).isEqualTo(Outbox.Mode.DEV_LOG);
            Client client = new Client(server.baseUrl());
            Browser browser = new Browser(client);
            assertThat(browser.register("dev@example.com", PASSWORD).status()).isEqualTo(201);

            ILoggingEvent line = awaitLog(e -> e.getFormattedMessage().startsWith("DEV MAIL (not sent): to=dev@example.com"));
            String message = line.getFormattedMessage();
            assertThat(message).contains("subject=Confirm your email address").contains("body=")
                    .contains("http://localhost:8080/?verify=");
            String token = message.replaceAll("(?s).*\\?verify=([A-Za-z0-9_-]{43}).*", "$1");
            assertThat(client.postJson("/auth/verify-email", Client.json("token", token)).status()).isEqualTo(204);
        }
    }

    @Test
    void withoutSmtpInProductionRequestsAreAcceptedAndAWarningSaysMailIsNotConfigured() {
        try (TestServer server = TestServer.start(TestServer.Engine.POSTGRES, new MutableClock(), Map.of())) {
            assertThat(server.server().mail().outbox().mode()).isEqualTo(Outbox.Mode.NOT_CONFIGURED);
            awaitLog(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains("LATCHKEY_SMTP_URL is not set"));
            Client client = new Client(server.baseUrl());
            assertThat(new Browser(client).register("prod@example.com", PASSWORD).status()).isEqualTo(201);
            assertThat(client.postJson("/auth/password-reset", Client.json("email", "prod@example.com")).status())
                    .isEqualTo(202);
            ILoggingEvent warning = awaitLog(e -> e.getLevel() == Level.WARN
                    && e.getFormattedMessage().contains("not sending 'Reset your password' to prod@example.com"));
            assertThat(warning.getFormattedMessage()).contains("mail is not configured").doesNotContain("?reset=");
            assertThat(logs.list).noneMatch(e -> e.getFormattedMessage().contains("DEV MAIL"));
        }
    }

    @Test
    void loginWaitsForAVerifiedAddressWhenRequired() {
        try (SmtpServer smtp = SmtpServer.start();
             TestServer server = TestServer.start(TestServer.Engine.SQLITE, new MutableClock(), Map.of(
                     "LATCHKEY_SMTP_URL", smtp.url(), "LATCHKEY_MAIL_FROM", "no-reply@latchkey.test",
                     "LATCHKEY_REQUIRE_VERIFIED_EMAIL", "true"))) {
            Client client = new Client(server.baseUrl());
            String email = "strict@example.com";
            assertThat(new Browser(client).register(email, PASSWORD).status()).isEqualTo(201);

            Reply wrong = new Browser(client).login(email, "a wrong but long password");
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(wrong.code()).as("without the password nothing tells").isEqualTo("INVALID_CREDENTIALS");
            Reply unverified = new Browser(client).login(email, PASSWORD);
            assertThat(unverified.status()).isEqualTo(403);
            assertThat(unverified.code()).isEqualTo("EMAIL_NOT_VERIFIED");
            assertThat(unverified.setCookies()).as("no session").isEmpty();

            // the refused login sent a fresh link besides the registration's
            List<MimeMessage> mails = smtp.awaitMails(email, 2);
            String token = SmtpServer.token(mails.get(1), "verify");
            assertThat(client.postJson("/auth/verify-email", Client.json("token", token)).status()).isEqualTo(204);
            assertThat(new Browser(client).login(email, PASSWORD).status()).isEqualTo(200);
        }
    }

    @Test
    void theOperatorsTemplatesReplaceTheBundledOnes() throws IOException {
        Path dir = Files.createTempDirectory("latchkey-templates");
        Files.writeString(dir.resolve("verify-email.txt"), "Subject: Welcome to {{email}}\n\nClick {{link}} within {{expiresInMinutes}} min.\n");
        try (SmtpServer smtp = SmtpServer.start();
             TestServer server = TestServer.start(TestServer.Engine.SQLITE, new MutableClock(), Map.of(
                     "LATCHKEY_SMTP_URL", smtp.url(), "LATCHKEY_MAIL_FROM", "no-reply@latchkey.test",
                     "LATCHKEY_MAIL_TEMPLATES_DIR", dir.toString(), "LATCHKEY_EMAIL_VERIFICATION_TTL", "2h"))) {
            Client client = new Client(server.baseUrl());
            assertThat(new Browser(client).register("custom@example.com", PASSWORD).status()).isEqualTo(201);
            MimeMessage mail = smtp.awaitMail("custom@example.com");
            assertThat(mail.getSubject()).isEqualTo("Welcome to custom@example.com");
            List<String> parts = SmtpServer.parts(mail);
            assertThat(parts.get(0)).startsWith("Click http://localhost:8080/?verify=").contains("within 120 min.");
            assertThat(parts.get(1)).as("the bundled HTML stays").contains("Confirm my email address");
        } catch (jakarta.mail.MessagingException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void htmlTemplatesEscapeTheirValues() {
        MailMessage message = MailTemplates.load(null).render(MailTemplates.PASSWORD_RESET, "a@example.com",
                Map.of("link", "https://x.test/?reset=a&b=\"<c>'", "email", "<b>a@example.com</b>", "expiresInMinutes", "30"));
        assertThat(message.html()).contains("https://x.test/?reset=a&amp;b=&quot;&lt;c&gt;&#39;")
                .contains("&lt;b&gt;a@example.com&lt;/b&gt;").doesNotContain("<b>a@example.com");
        assertThat(message.text()).contains("https://x.test/?reset=a&b=\"<c>'");
        assertThat(message.toString()).doesNotContain("reset=");
    }
}
