package dev.latchkey.server.mail;

import dev.latchkey.server.config.MailSettings;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.time.Clock;
import java.util.Date;
import java.util.Properties;

/** Sends a {@link MailMessage} over SMTP (Jakarta Mail, Angus) as multipart/alternative: text, then HTML. */
final class SmtpTransport {
    private static final String TIMEOUT_MILLIS = "10000";

    private final MailSettings.Smtp smtp;
    private final InternetAddress from;
    private final Session session;
    private final Clock clock;

    SmtpTransport(MailSettings.Smtp smtp, String from, Clock clock) {
        this.smtp = smtp;
        this.clock = clock;
        try {
            this.from = new InternetAddress(from, true);
        } catch (MessagingException e) {
            throw new IllegalArgumentException("bad sender address", e);
        }
        String protocol = smtp.ssl() ? "smtps" : "smtp";
        Properties properties = new Properties();
        properties.put("mail.transport.protocol", protocol);
        properties.put("mail." + protocol + ".host", smtp.host());
        properties.put("mail." + protocol + ".port", Integer.toString(smtp.port()));
        properties.put("mail." + protocol + ".connectiontimeout", TIMEOUT_MILLIS);
        properties.put("mail." + protocol + ".timeout", TIMEOUT_MILLIS);
        properties.put("mail." + protocol + ".writetimeout", TIMEOUT_MILLIS);
        properties.put("mail." + protocol + ".auth", Boolean.toString(smtp.user() != null));
        if (smtp.ssl()) {
            properties.put("mail.smtps.ssl.checkserveridentity", "true");
        } else if (smtp.startTls() != MailSettings.StartTls.OFF) {
            properties.put("mail.smtp.starttls.enable", "true");
            properties.put("mail.smtp.starttls.required", Boolean.toString(smtp.startTls() == MailSettings.StartTls.REQUIRED));
            properties.put("mail.smtp.ssl.checkserveridentity", "true");
        }
        this.session = Session.getInstance(properties);
    }

    void send(MailMessage message) throws MessagingException {
        MimeMessage mime = new MimeMessage(session);
        mime.setFrom(from);
        mime.setRecipients(Message.RecipientType.TO, InternetAddress.parse(message.to(), true));
        mime.setSubject(message.subject(), "UTF-8");
        mime.setSentDate(Date.from(clock.instant()));
        MimeBodyPart text = new MimeBodyPart();
        text.setText(message.text(), "UTF-8", "plain");
        MimeBodyPart html = new MimeBodyPart();
        html.setText(message.html(), "UTF-8", "html");
        MimeMultipart alternative = new MimeMultipart("alternative", text, html);
        mime.setContent(alternative);
        mime.saveChanges();
        try (Transport transport = session.getTransport(smtp.ssl() ? "smtps" : "smtp")) {
            transport.connect(smtp.host(), smtp.port(), smtp.user(), smtp.password());
            transport.sendMessage(mime, mime.getAllRecipients());
        }
    }
}
