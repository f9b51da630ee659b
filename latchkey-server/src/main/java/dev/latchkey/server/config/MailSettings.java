package dev.latchkey.server.config;

import dev.latchkey.core.ratelimit.RateLimit;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Email verification and password reset: where mail goes (SMTP, or nowhere), what the links
 * point at, the operator's templates, token lifetimes, whether login waits for a verified
 * address, and the rate limits of reset requests.
 *
 * @param smtp            null: no SMTP (messages go to the log in development, a warning in production)
 * @param from            the sender address of every mail
 * @param publicUrl       the base of the links in mails, without a trailing slash
 * @param templatesDir    null: the bundled templates only
 * @param resetPerIp      reset requests per client IP
 * @param resetPerAccount reset requests per email; also verification mails requested per user
 */
public record MailSettings(Smtp smtp, String from, String publicUrl, Path templatesDir, Duration verificationTtl,
                           Duration resetTtl, boolean requireVerifiedEmail, RateLimit resetPerIp,
                           RateLimit resetPerAccount) {

    /** STARTTLS on plain {@code smtp://}: {@code required}, {@code optional} (when offered) or {@code off}. */
    public enum StartTls { REQUIRED, OPTIONAL, OFF }

    /** An SMTP server from {@code smtp[s]://[user[:password]@]host[:port][?starttls=required|optional|off]}. */
    public record Smtp(String host, int port, boolean ssl, StartTls startTls, String user, String password) {
        @Override
        public String toString() {
            return "Smtp[" + (ssl ? "smtps" : "smtp") + "://" + (user == null ? "" : user + ":<redacted>@") + host + ":" + port
                    + ", starttls=" + startTls + "]";
        }

        static Smtp parse(String text) {
            String shape = "is not a URL such as smtp://user:password@mail.example.com:587 or smtps://...";
            URI uri;
            try {
                uri = new URI(text);
            } catch (Exception e) {
                throw new IllegalArgumentException(shape);
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("smtp") || scheme.equals("smtps")) || uri.getHost() == null
                    || (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))
                    || uri.getRawFragment() != null) {
                throw new IllegalArgumentException(shape);
            }
            boolean ssl = scheme.equals("smtps");
            int port = uri.getPort() == -1 ? (ssl ? 465 : 587) : uri.getPort();
            String user = null;
            String password = null;
            if (uri.getRawUserInfo() != null) {
                String[] parts = uri.getRawUserInfo().split(":", 2);
                user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
                password = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : null;
            }
            StartTls startTls = ssl ? StartTls.OFF : StartTls.OPTIONAL;
            if (uri.getRawQuery() != null) {
                for (String parameter : uri.getRawQuery().split("&")) {
                    String[] pair = parameter.split("=", 2);
                    if (!pair[0].equalsIgnoreCase("starttls") || pair.length != 2 || ssl) {
                        throw new IllegalArgumentException("takes only the parameter starttls=required|optional|off, on smtp://");
                    }
                    startTls = switch (pair[1].toLowerCase(Locale.ROOT)) {
                        case "required" -> StartTls.REQUIRED;
                        case "optional" -> StartTls.OPTIONAL;
                        case "off" -> StartTls.OFF;
                        default -> throw new IllegalArgumentException("starttls must be required, optional or off");
                    };
                }
            }
            return new Smtp(uri.getHost(), port, ssl, startTls, user, password);
        }
    }

    static MailSettings read(EnvReader env, String issuer) {
        Smtp smtp = env.parsed("LATCHKEY_SMTP_URL", null, Smtp::parse);
        String from = env.parsed("LATCHKEY_MAIL_FROM", null, MailSettings::address);
        if (smtp != null && from == null) {
            throw new ConfigException("LATCHKEY_MAIL_FROM", "must be set when LATCHKEY_SMTP_URL is (the sender of every mail)");
        }
        String publicUrl = env.httpUrl("LATCHKEY_PUBLIC_URL", issuer);
        Path templates = env.parsed("LATCHKEY_MAIL_TEMPLATES_DIR", null, text -> {
            Path dir = Path.of(text);
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("'" + text + "' is not a directory");
            }
            return dir;
        });
        Duration verificationTtl = env.duration("LATCHKEY_EMAIL_VERIFICATION_TTL", Duration.ofHours(24),
                Duration.ofMinutes(5), Duration.ofDays(30));
        Duration resetTtl = env.duration("LATCHKEY_PASSWORD_RESET_TTL", Duration.ofMinutes(30),
                Duration.ofMinutes(1), Duration.ofDays(1));
        boolean requireVerified = env.bool("LATCHKEY_REQUIRE_VERIFIED_EMAIL", false);
        RateLimit perIp = env.parsed("LATCHKEY_RATE_LIMIT_RESET_PER_IP", AbuseSettings.parseRate("reset-ip", "20/1h"),
                text -> AbuseSettings.parseRate("reset-ip", text));
        RateLimit perAccount = env.parsed("LATCHKEY_RATE_LIMIT_RESET_PER_ACCOUNT",
                AbuseSettings.parseRate("reset-account", "3/1h"), text -> AbuseSettings.parseRate("reset-account", text));
        return new MailSettings(smtp, from == null ? "latchkey@localhost" : from, stripSlash(publicUrl), templates,
                verificationTtl, resetTtl, requireVerified, perIp, perAccount);
    }

    private static String address(String text) {
        try {
            jakarta.mail.internet.InternetAddress address = new jakarta.mail.internet.InternetAddress(text, true);
            address.validate();
            return address.toString();
        } catch (jakarta.mail.internet.AddressException e) {
            throw new IllegalArgumentException("'" + text + "' is not an email address such as Latchkey <no-reply@example.com>");
        }
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
