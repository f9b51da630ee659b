package dev.latchkey.server.mail;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latchkey.server.Browser;
import dev.latchkey.server.Client;
import dev.latchkey.server.Client.Reply;
import dev.latchkey.testkit.MutableClock;
import dev.latchkey.server.TestServer;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Email verification and password reset over real HTTP, with the mails delivered over a real SMTP
 * socket (GreenMail) and read back from there. Runs on SQLite and PostgreSQL through the subclasses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EmailFlowsTest {
    static final String PASSWORD = "correct horse battery staple";
    static final String NEW_PASSWORD = "a brand new long passphrase";
    static final String FROM = "Latchkey <no-reply@latchkey.test>";
    static final String PUBLIC_URL = "https://app.latchkey.test";
    private static final AtomicInteger USERS = new AtomicInteger();

    final MutableClock clock = new MutableClock();
    SmtpServer smtp;
    TestServer server;
    Client client;

    abstract TestServer.Engine engine();

    @BeforeAll
    void start() {
        smtp = SmtpServer.start();
        server = TestServer.start(engine(), clock, Map.of(
                "LATCHKEY_SMTP_URL", smtp.url(),
                "LATCHKEY_MAIL_FROM", FROM,
                "LATCHKEY_PUBLIC_URL", PUBLIC_URL + "/",
                "LATCHKEY_RATE_LIMIT_RESET_PER_ACCOUNT", "1000/1m"));
        client = new Client(server.baseUrl());
    }

    @AfterAll
    void stop() {
        server.close();
        smtp.close();
    }

    static String newEmail() {
        return "mail" + USERS.incrementAndGet() + "-" + System.nanoTime() + "@example.com";
    }

    Browser registered(String email) {
        Browser browser = new Browser(client);
        assertThat(browser.register(email, PASSWORD).status()).isEqualTo(201);
        return browser;
    }

    Reply verify(String token) {
        return client.postJson("/auth/verify-email", Client.json("token", token));
    }

    Reply requestReset(String email) {
        return client.postJson("/auth/password-reset", Client.json("email", email));
    }

    Reply confirmReset(String token, String newPassword) {
        return client.postJson("/auth/password-reset/confirm", Client.json("token", token, "newPassword", newPassword));
    }

    static String[] bearer(Browser browser) {
        return new String[] {"Authorization", "Bearer " + browser.accessToken};
    }

    boolean emailVerified(Browser browser) {
        Reply me = browser.get("/api/me");
        assertThat(me.status()).as(me.body()).isEqualTo(200);
        return me.json().get("emailVerified").asBoolean();
    }

    @Test
    void registrationMailsAVerificationLinkThatWorksOnce() throws Exception {
        String email = newEmail();
        Browser browser = registered(email);
        assertThat(emailVerified(browser)).isFalse();

        MimeMessage mail = smtp.awaitMail(email);
        assertThat(mail.getFrom()).containsExactly(new InternetAddress(FROM));
        assertThat(SmtpServer.recipient(mail)).isEqualTo(email);
        assertThat(mail.getSubject()).isEqualTo("Confirm your email address");
        List<String> parts = SmtpServer.parts(mail);
        String token = SmtpServer.token(mail, "verify");
        assertThat(parts.get(0)).contains(PUBLIC_URL + "/?verify=" + token).contains(email).contains("1440 minutes");
        assertThat(parts.get(1)).contains("href=\"" + PUBLIC_URL + "/?verify=" + token + "\"").contains("<strong>" + email);

        Reply first = verify(token);
        assertThat(first.status()).as(first.body()).isEqualTo(204);
        assertThat(emailVerified(browser)).isTrue();

        Reply again = verify(token);
        assertThat(again.status()).isEqualTo(400);
        assertThat(again.code()).isEqualTo("EMAIL_TOKEN_INVALID");
    }

    @Test
    void aVerificationLinkExpires() {
        String email = newEmail();
        Browser browser = registered(email);
        String token = SmtpServer.token(smtp.awaitMail(email), "verify");

        assertThat(emailVerified(browser)).isFalse();
        clock.advance(Duration.ofHours(24).plusSeconds(1));
        Reply late = verify(token);
        assertThat(late.status()).isEqualTo(400);
        assertThat(late.code()).isEqualTo("EMAIL_TOKEN_INVALID");
    }

    @Test
    void aNewVerificationMailOnRequestAndNoneOnceVerified() {
        String email = newEmail();
        Browser browser = registered(email);
        smtp.awaitMail(email);

        Reply requested = client.post("/auth/verify-email/request", bearer(browser));
        assertThat(requested.status()).as(requested.body()).isEqualTo(202);
        List<MimeMessage> mails = smtp.awaitMails(email, 2);
        assertThat(verify(SmtpServer.token(mails.get(1), "verify")).status()).isEqualTo(204);
        assertThat(verify(SmtpServer.token(mails.get(0), "verify")).code())
                .as("the other verification links are spent with it").isEqualTo("EMAIL_TOKEN_INVALID");

        Reply already = client.post("/auth/verify-email/request", bearer(browser));
        assertThat(already.status()).isEqualTo(202);
        assertThat(already.json().get("emailVerified").asBoolean()).isTrue();
        assertThat(client.post("/auth/verify-email/request").code()).isEqualTo("TOKEN_MISSING");
    }

    @Test
    void aTokenIsBoundToItsUserAndItsPurpose() {
        String alice = newEmail();
        String bob = newEmail();
        Browser aliceBrowser = registered(alice);
        Browser bobBrowser = registered(bob);
        String aliceVerify = SmtpServer.token(smtp.awaitMail(alice), "verify");
        smtp.awaitMail(bob);

        // a verification token does not reset a password
        Reply wrongPurpose = confirmReset(aliceVerify, NEW_PASSWORD);
        assertThat(wrongPurpose.status()).isEqualTo(400);
        assertThat(wrongPurpose.code()).isEqualTo("EMAIL_TOKEN_INVALID");
        assertThat(new Browser(client).login(alice, PASSWORD).status()).isEqualTo(200);

        // nor does a reset token verify an address
        assertThat(requestReset(alice).status()).isEqualTo(202);
        String aliceReset = SmtpServer.token(smtp.awaitMails(alice, 2).get(1), "reset");
        assertThat(verify(aliceReset).code()).isEqualTo("EMAIL_TOKEN_INVALID");

        // alice's verification verifies alice, and only her
        assertThat(verify(aliceVerify).status()).isEqualTo(204);
        assertThat(emailVerified(aliceBrowser)).isTrue();
        assertThat(emailVerified(bobBrowser)).isFalse();

        // and garbage is refused alike
        assertThat(verify("not-a-token").code()).isEqualTo("EMAIL_TOKEN_INVALID");
        assertThat(verify("A".repeat(43)).code()).isEqualTo("EMAIL_TOKEN_INVALID");
        assertThat(client.postJson("/auth/verify-email", "{}").code()).isEqualTo("VALIDATION_FAILED");
    }

    @Test
    void aPasswordResetEndsEverySessionAndAccessToken() throws Exception {
        String email = newEmail();
        Browser first = registered(email);
        Browser second = new Browser(client);
        assertThat(second.login(email, PASSWORD).status()).isEqualTo(200);
        smtp.awaitMail(email);

        Reply requested = requestReset(email);
        assertThat(requested.status()).isEqualTo(202);
        MimeMessage mail = smtp.awaitMails(email, 2).get(1);
        assertThat(mail.getSubject()).isEqualTo("Reset your password");
        assertThat(SmtpServer.parts(mail).get(0)).contains("30 minutes");
        String token = SmtpServer.token(mail, "reset");

        Reply weak = confirmReset(token, "short");
        assertThat(weak.status()).isEqualTo(400);
        assertThat(weak.code()).isEqualTo("VALIDATION_FAILED");
        assertThat(weak.json().path("fields").has("newPassword")).isTrue();

        Reply done = confirmReset(token, NEW_PASSWORD);
        assertThat(done.status()).as(done.body()).isEqualTo(204);

        for (Browser browser : List.of(first, second)) {
            Reply me = browser.get("/api/me");
            assertThat(me.status()).isEqualTo(401);
            assertThat(me.code()).isEqualTo("TOKEN_REVOKED");
            assertThat(browser.refresh().status()).isEqualTo(401);
        }
        assertThat(new Browser(client).login(email, PASSWORD).code()).isEqualTo("INVALID_CREDENTIALS");
        Browser fresh = new Browser(client);
        assertThat(fresh.login(email, NEW_PASSWORD).status()).isEqualTo(200);
        assertThat(emailVerified(fresh)).as("the reset proved control of the mailbox").isTrue();

        assertThat(confirmReset(token, "yet another long passphrase").code()).isEqualTo("EMAIL_TOKEN_INVALID");
    }

    @Test
    void usingOneResetLinkSpendsTheOthersAndResetLinksExpire() {
        String email = newEmail();
        registered(email);
        smtp.awaitMail(email);
        assertThat(requestReset(email).status()).isEqualTo(202);
        assertThat(requestReset(email).status()).isEqualTo(202);
        List<MimeMessage> mails = smtp.awaitMails(email, 3);
        String older = SmtpServer.token(mails.get(1), "reset");
        String newer = SmtpServer.token(mails.get(2), "reset");
        assertThat(confirmReset(newer, NEW_PASSWORD).status()).isEqualTo(204);
        assertThat(confirmReset(older, "yet another long passphrase").code()).isEqualTo("EMAIL_TOKEN_INVALID");

        assertThat(requestReset(email).status()).isEqualTo(202);
        String late = SmtpServer.token(smtp.awaitMails(email, 4).get(3), "reset");
        clock.advance(Duration.ofMinutes(30).plusSeconds(1));
        assertThat(confirmReset(late, "yet another long passphrase").code()).isEqualTo("EMAIL_TOKEN_INVALID");
        assertThat(new Browser(client).login(email, NEW_PASSWORD).status()).isEqualTo(200);
    }

    @Test
    void aPasswordChangeSpendsOutstandingResetLinks() {
        String email = newEmail();
        Browser browser = registered(email);
        smtp.awaitMail(email);
        assertThat(requestReset(email).status()).isEqualTo(202);
        String token = SmtpServer.token(smtp.awaitMails(email, 2).get(1), "reset");

        Reply changed = client.postJson("/auth/password", Client.json("currentPassword", PASSWORD, "newPassword", NEW_PASSWORD),
                bearer(browser));
        assertThat(changed.status()).as(changed.body()).isEqualTo(204);
        assertThat(confirmReset(token, "yet another long passphrase").code()).isEqualTo("EMAIL_TOKEN_INVALID");
    }

    @Test
    void anUnknownAddressGetsTheSameAnswerAndNoMail() {
        String known = newEmail();
        registered(known);
        smtp.awaitMail(known);
        String unknown = newEmail();

        Reply forKnown = requestReset(known);
        Reply forUnknown = requestReset(unknown);
        assertThat(forUnknown.status()).isEqualTo(forKnown.status()).isEqualTo(202);
        assertThat(forUnknown.body()).isEqualTo(forKnown.body());
        assertThat(forUnknown.header("Content-Type")).isEqualTo(forKnown.header("Content-Type"));
        smtp.awaitMails(known, 2);
        server.server().mail().outbox().drain(5_000);
        assertThat(smtp.mailsTo(unknown)).isEmpty();

        assertThat(requestReset("not an address").code()).isEqualTo("VALIDATION_FAILED");
        assertThat(client.postJson("/auth/password-reset", "{}").code()).isEqualTo("VALIDATION_FAILED");
    }
}
