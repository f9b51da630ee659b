package dev.latchkey.server.mail;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real SMTP server (GreenMail) on a free port of the loopback interface, with one account that
 * Latchkey authenticates as; received mails are read back for the tests.
 */
public final class SmtpServer implements AutoCloseable {
    static final String USER = "latchkey-smtp";
    static final String PASSWORD = "smtp-secret-pw";
    private final GreenMail greenMail;

    private SmtpServer(GreenMail greenMail) {
        this.greenMail = greenMail;
    }

    public static SmtpServer start() {
        GreenMail greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        greenMail.start();
        greenMail.setUser(USER, USER, PASSWORD);
        return new SmtpServer(greenMail);
    }

    /** {@code LATCHKEY_SMTP_URL} for this server. */
    public String url() {
        return "smtp://" + USER + ":" + PASSWORD + "@127.0.0.1:" + greenMail.getSmtp().getPort();
    }

    /** The mails received for {@code to} so far. */
    List<MimeMessage> mailsTo(String to) {
        return Arrays.stream(greenMail.getReceivedMessages()).filter(m -> recipient(m).equalsIgnoreCase(to)).toList();
    }

    /** Waits (up to 10 s) until {@code count} mails for {@code to} have arrived; returns them. */
    public List<MimeMessage> awaitMails(String to, int count) {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            List<MimeMessage> mails = mailsTo(to);
            if (mails.size() >= count) {
                return mails;
            }
            sleep(20);
        }
        throw new AssertionError("expected " + count + " mail(s) to " + to + ", got " + mailsTo(to).size());
    }

    public MimeMessage awaitMail(String to) {
        return awaitMails(to, 1).getLast();
    }

    static String recipient(MimeMessage message) {
        try {
            Address[] to = message.getRecipients(Message.RecipientType.TO);
            return to == null || to.length == 0 ? "" : to[0].toString();
        } catch (MessagingException e) {
            throw new AssertionError(e);
        }
    }

    /** The text and HTML parts of a multipart/alternative mail, in that order. */
    static List<String> parts(MimeMessage message) {
        try {
            assertThat(message.getContentType()).startsWith("multipart/alternative");
            MimeMultipart multipart = (MimeMultipart) message.getContent();
            assertThat(multipart.getCount()).isEqualTo(2);
            BodyPart text = multipart.getBodyPart(0);
            BodyPart html = multipart.getBodyPart(1);
            assertThat(text.getContentType()).startsWith("text/plain");
            assertThat(html.getContentType()).startsWith("text/html");
            return List.of((String) text.getContent(), (String) html.getContent());
        } catch (MessagingException | IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The link {@code <public URL>/?<parameter>=<token>} in the mail's text part, as a reader would open it. */
    public static String link(MimeMessage message, String parameter) {
        Matcher link = Pattern.compile("\\S+\\?" + parameter + "=[A-Za-z0-9_-]{43}").matcher(parts(message).get(0));
        assertThat(link.find()).as("a ?" + parameter + "= link in the mail").isTrue();
        return link.group();
    }

    /** The token of the link {@code ...?<parameter>=<token>} in the mail's text part. */
    static String token(MimeMessage message, String parameter) {
        Matcher link = Pattern.compile("\\?" + parameter + "=([A-Za-z0-9_-]{43})").matcher(parts(message).get(0));
        assertThat(link.find()).as("a ?" + parameter + "= link in the mail").isTrue();
        return link.group(1);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        greenMail.stop();
    }
}
