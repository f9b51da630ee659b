package dev.latchkey.server.mail;

/** One mail: sent as multipart/alternative with the plain-text and the HTML body. */
public record MailMessage(String to, String subject, String text, String html) {
    @Override
    public String toString() {
        // the bodies carry single-use tokens
        return "MailMessage[to=" + to + ", subject=" + subject + "]";
    }
}
