package dev.latchkey.server.passwords;

import dev.latchkey.core.passwords.BreachCheck;
import dev.latchkey.server.config.AbuseSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Have I Been Pwned's range API with k-anonymity: only the first five hex characters of the
 * password's uppercase SHA-1 leave the server; the answer lists every known suffix of that
 * prefix as {@code SUFFIX:COUNT} lines, and the password is breached when its own suffix is there
 * with a count above zero. {@code Add-Padding: true} makes every answer about the same size, so
 * its length tells an observer nothing; padding lines have count 0.
 *
 * <p>When the service cannot answer in time: fail open (the password is accepted, with a
 * warning in the log) or fail closed (the caller answers 503 and the user retries), as configured.
 */
public final class PwnedPasswords implements BreachCheck {
    private static final Logger log = LoggerFactory.getLogger(PwnedPasswords.class);

    private final String baseUrl;
    private final Duration timeout;
    private final boolean failOpen;
    private final HttpClient http;

    public PwnedPasswords(AbuseSettings.Hibp settings) {
        this.baseUrl = settings.url().endsWith("/") ? settings.url() : settings.url() + "/";
        this.timeout = settings.timeout();
        this.failOpen = settings.failOpen();
        this.http = HttpClient.newBuilder()
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public Result check(String password) {
        String hash = sha1Hex(password);
        String prefix = hash.substring(0, 5);
        String suffix = hash.substring(5);
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + prefix))
                .timeout(timeout)
                .header("Add-Padding", "true")
                .header("User-Agent", "Latchkey")
                .GET()
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() != 200) {
                return unavailable("answered HTTP " + response.statusCode());
            }
            long count = countOf(response.body(), suffix);
            return count > 0 ? new Result.Breached(count) : Result.CLEAR;
        } catch (IOException e) {
            return unavailable(e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unavailable("interrupted");
        }
    }

    /** The count listed for {@code suffix} in a range answer, 0 when absent (or listed as padding). */
    static long countOf(String body, String suffix) {
        for (String line : body.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon == suffix.length() && line.regionMatches(true, 0, suffix, 0, suffix.length())) {
                try {
                    return Long.parseLong(line.substring(colon + 1).trim());
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    private Result unavailable(String why) {
        if (failOpen) {
            log.warn("password breach check unavailable ({}); accepting the password (LATCHKEY_HIBP_FAIL_OPEN=true)", why);
            return Result.CLEAR;
        }
        log.warn("password breach check unavailable ({}); refusing for now (LATCHKEY_HIBP_FAIL_OPEN=false)", why);
        return new Result.Unavailable();
    }

    static String sha1Hex(String password) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(password.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).toUpperCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JDK", e);
        }
    }
}
