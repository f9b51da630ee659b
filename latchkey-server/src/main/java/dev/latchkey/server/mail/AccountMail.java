package dev.latchkey.server.mail;

import dev.latchkey.core.accounts.AccountRecovery;
import dev.latchkey.core.accounts.User;
import dev.latchkey.server.config.MailSettings;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * The mails of the account lifecycle: composes them from the templates with links to the public
 * URL ({@code <public>/?verify=<token>}, {@code <public>/?reset=<token>}) and hands storing the
 * token and sending the mail to the {@link Outbox}, off the request thread.
 */
public final class AccountMail implements AutoCloseable {
    private final AccountRecovery recovery;
    private final Outbox outbox;
    private final MailTemplates templates;
    private final MailSettings settings;

    public AccountMail(AccountRecovery recovery, Outbox outbox, MailTemplates templates, MailSettings settings) {
        this.recovery = recovery;
        this.outbox = outbox;
        this.templates = templates;
        this.settings = settings;
    }

    public AccountRecovery recovery() {
        return recovery;
    }

    public MailSettings settings() {
        return settings;
    }

    public Outbox outbox() {
        return outbox;
    }

    /** Stores a new verification token for the user and mails its link, asynchronously. */
    public void sendVerification(User user) {
        outbox.submit("verification mail to " + user.email(), () -> {
            AccountRecovery.MailedToken token = recovery.newVerification(user);
            outbox.deliver(templates.render(MailTemplates.VERIFY_EMAIL, user.email(),
                    values(user.email(), link("verify", token.token()), recovery.verificationTtl())));
        });
    }

    /**
     * Stores the prepared reset's token and mails its link, asynchronously, when the address has an
     * account; for an unknown address the job does nothing (the request path was the same).
     */
    public void sendReset(AccountRecovery.PreparedReset reset) {
        outbox.submit("password-reset mail", () -> recovery.storeReset(reset).ifPresent(token ->
                outbox.deliver(templates.render(MailTemplates.PASSWORD_RESET, token.user().email(),
                        values(token.user().email(), link("reset", token.token()), recovery.resetTtl())))));
    }

    private String link(String parameter, String token) {
        return settings.publicUrl() + "/?" + parameter + "=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
    }

    private static Map<String, String> values(String email, String link, Duration ttl) {
        return Map.of("link", link, "email", email, "expiresInMinutes", Long.toString(ttl.toMinutes()));
    }

    @Override
    public void close() {
        outbox.close();
    }
}
