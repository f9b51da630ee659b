package dev.latchkey.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A plain HTTP client over a real socket; cookies are handled by the tests themselves, on purpose. */
public final class Client {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();

    public Client(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public Reply get(String path, String... headers) {
        return send("GET", path, null, null, headers);
    }

    public Reply delete(String path, String... headers) {
        return send("DELETE", path, null, null, headers);
    }

    public Reply postJson(String path, String json, String... headers) {
        return send("POST", path, "application/json", json == null ? null : json.getBytes(StandardCharsets.UTF_8), headers);
    }

    /**
     * A JSON post that asks for {@code 100 Continue} before sending its body, as clients sending
     * large bodies do. For bodies the server refuses by their declared length (413): a client that
     * sends the whole body anyway can have its connection reset by the server's close (a closed
     * socket with unread input answers with a reset) before it reads the 413.
     */
    public Reply postJsonExpectingContinue(String path, String json, String... headers) {
        return send("POST", path, "application/json", json.getBytes(StandardCharsets.UTF_8), true, headers);
    }

    public Reply post(String path, String... headers) {
        return send("POST", path, null, null, headers);
    }

    /** {@code headers} come in name, value pairs. */
    public Reply send(String method, String path, String contentType, byte[] body, String... headers) {
        return send(method, path, contentType, body, false, headers);
    }

    private Reply send(String method, String path, String contentType, byte[] body, boolean expectContinue,
                       String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
                .expectContinue(expectContinue)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String json(Object... pairs) {
        var node = JSON.createObjectNode();
        for (int i = 0; i < pairs.length; i += 2) {
            node.set((String) pairs[i], JSON.valueToTree(pairs[i + 1]));
        }
        return node.toString();
    }

    /** One HTTP answer. */
    public record Reply(int status, HttpHeaders headers, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        public String code() {
            return json().path("code").asText(null);
        }

        public Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        public List<String> setCookies() {
            return headers.allValues("Set-Cookie");
        }

        /** The full Set-Cookie line for this cookie name, if the answer set or cleared it. */
        public Optional<String> setCookie(String name) {
            return setCookies().stream().filter(c -> c.startsWith(name + "=")).findFirst();
        }

        /** The value the answer set for this cookie (empty string when it cleared it). */
        public Optional<String> cookieValue(String name) {
            return setCookie(name).map(c -> c.substring(name.length() + 1, c.indexOf(';') < 0 ? c.length() : c.indexOf(';')));
        }
    }
}
