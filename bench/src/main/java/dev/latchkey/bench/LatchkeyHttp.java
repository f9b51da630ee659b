package dev.latchkey.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * The few Latchkey calls the scenarios make, over {@code java.net.http} (HTTP/1.1). Cookies are
 * handled by hand: the session cookies are {@code Secure}, which a cookie jar would not send
 * over plain HTTP, and a client needs only its one refresh token anyway.
 *
 * <p>Cheap on purpose (the load generator shares the CPUs with the server): URIs and header
 * values are built once, and only the two needed members are picked from the JSON body.
 */
final class LatchkeyHttp {
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final String REFRESH_COOKIE = "refresh_token=";

    private final HttpClient client;
    private final URI register;
    private final URI login;
    private final URI refresh;
    private final URI me;
    private final String origin;

    LatchkeyHttp(HttpClient client, URI base, String origin) {
        this.client = client;
        this.register = base.resolve("/auth/register");
        this.login = base.resolve("/auth/login");
        this.refresh = base.resolve("/auth/refresh");
        this.me = base.resolve("/api/me");
        this.origin = origin;
    }

    static HttpClient newClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** A server answer: status, body, and the refresh token it set ({@code null} when none or cleared). */
    record Answer(int status, String body, String refreshToken, long retryAfterSeconds) {
        /** The error key of a failed answer: status and the {@code code} member, e.g. {@code 401 REFRESH_TOKEN_REUSED}. */
        String errorKey() {
            String code = jsonString(body, "\"code\"");
            return status + " " + (code == null ? "(no code)" : code);
        }
    }

    Answer register(String email, String password) throws IOException, InterruptedException {
        return postJson(register, credentials(email, password));
    }

    Answer login(String email, String password) throws IOException, InterruptedException {
        return postJson(login, credentials(email, password));
    }

    /** {@code GET /api/me} with the access token: the verify path. */
    Answer me(String accessToken) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(me).timeout(REQUEST_TIMEOUT).header("Authorization", "Bearer " + accessToken)
                .GET().build());
    }

    Answer refresh(String refreshToken, String csrfToken) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(refresh)
                .timeout(REQUEST_TIMEOUT)
                // the CSRF cookie too: the seed-style peer checks the header against it (double submit)
                .header("Cookie", REFRESH_COOKIE + refreshToken + "; csrf_token=" + csrfToken)
                .header("X-CSRF-Token", csrfToken)
                .header("Origin", origin)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        return send(request);
    }

    private Answer postJson(URI uri, String json) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header("Origin", origin)
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
        return send(request);
    }

    private Answer send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        long retryAfter = response.headers().firstValue("retry-after").map(v -> {
            try {
                return Long.parseLong(v.strip());
            } catch (NumberFormatException e) {
                return 1L;
            }
        }).orElse(-1L);
        return new Answer(response.statusCode(), response.body(), refreshCookie(response.headers().allValues("set-cookie")),
                retryAfter);
    }

    private static String credentials(String email, String password) {
        // bench-made values: no characters that need JSON escaping
        return "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}";
    }

    private static String refreshCookie(List<String> setCookies) {
        for (String header : setCookies) {
            if (header.startsWith(REFRESH_COOKIE)) {
                int end = header.indexOf(';');
                String value = header.substring(REFRESH_COOKIE.length(), end < 0 ? header.length() : end);
                return value.isEmpty() ? null : value;
            }
        }
        return null;
    }

    /**
     * The string value of member {@code quotedName} (with its quotes, e.g. {@code "\"csrfToken\""})
     * in a flat JSON object, or {@code null}. Enough for Latchkey's token bodies, whose values
     * carry no escapes; not a JSON parser.
     */
    static String jsonString(String body, String quotedName) {
        if (body == null) {
            return null;
        }
        int at = body.indexOf(quotedName);
        if (at < 0) {
            return null;
        }
        int i = at + quotedName.length();
        int n = body.length();
        while (i < n && Character.isWhitespace(body.charAt(i))) {
            i++;
        }
        if (i >= n || body.charAt(i) != ':') {
            return null;
        }
        i++;
        while (i < n && Character.isWhitespace(body.charAt(i))) {
            i++;
        }
        if (i >= n || body.charAt(i) != '"') {
            return null;
        }
        int end = body.indexOf('"', i + 1);
        return end < 0 ? null : body.substring(i + 1, end);
    }
}
