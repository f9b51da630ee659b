package dev.latchkey.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * The {@code login} and {@code refresh} scenarios against Keycloak, through the OAuth2 token
 * endpoint of the benchmark realm (form POST): {@code login} is {@code grant_type=password},
 * {@code refresh} is {@code grant_type=refresh_token} with the refresh token the client was last
 * given (each client its own session, started by an untimed password grant in {@link Worker#open()}).
 * Client {@code i} is user {@code i} of {@link KeycloakPeer#username(int)}; the realm has as many
 * users as the largest client count.
 */
final class KeycloakScenario implements Scenario {
    private static final String REFRESH_TOKEN = "\"refresh_token\"";

    private final String name;
    private final boolean refresh;
    private final HttpClient http;
    private final URI tokenEndpoint;
    private final String clientId;

    KeycloakScenario(String name, HttpClient http, URI tokenEndpoint, String clientId) {
        if (!name.equals("login") && !name.equals("refresh")) {
            throw new IllegalArgumentException("Keycloak runs login and refresh only, not " + name);
        }
        this.name = name;
        this.refresh = name.equals("refresh");
        this.http = http;
        this.tokenEndpoint = tokenEndpoint;
        this.clientId = clientId;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String describe() {
        return refresh ? "POST " + tokenEndpoint.getPath() + " grant_type=refresh_token"
                : "POST " + tokenEndpoint.getPath() + " grant_type=password";
    }

    @Override
    public Worker newWorker(int index) {
        String passwordGrant = "grant_type=password&client_id=" + form(clientId) + "&username="
                + form(KeycloakPeer.username(index)) + "&password=" + form(KeycloakPeer.password(index));
        return new KeycloakWorker(passwordGrant);
    }

    private final class KeycloakWorker implements Worker {
        private final String passwordGrant;
        private String refreshToken;

        KeycloakWorker(String passwordGrant) {
            this.passwordGrant = passwordGrant;
        }

        @Override
        public void open() throws CallFailed, InterruptedException {
            HttpResponse<String> answer;
            try {
                answer = post(passwordGrant);
            } catch (IOException e) {
                throw new CallFailed("login " + e.getClass().getSimpleName());
            }
            if (answer.statusCode() != 200) {
                throw new CallFailed("login " + errorKey(answer));
            }
            refreshToken = LatchkeyHttp.jsonString(answer.body(), REFRESH_TOKEN);
            if (refreshToken == null) {
                throw new CallFailed("login without a refresh token");
            }
        }

        @Override
        public String step() throws InterruptedException {
            HttpResponse<String> answer;
            try {
                answer = post(refresh ? "grant_type=refresh_token&client_id=" + form(clientId) + "&refresh_token="
                        + refreshToken : passwordGrant);
            } catch (IOException e) {
                return e.getClass().getSimpleName();
            }
            if (answer.statusCode() != 200) {
                if (refresh) {
                    refreshToken = null; // the session is lost (or the token refused): log in again, untimed
                }
                return errorKey(answer);
            }
            String next = LatchkeyHttp.jsonString(answer.body(), REFRESH_TOKEN);
            if (next == null) {
                if (refresh) {
                    refreshToken = null;
                }
                return "200 without a refresh token";
            }
            refreshToken = next;
            return null;
        }

        @Override
        public boolean broken() {
            return refreshToken == null;
        }

        private HttpResponse<String> post(String form) throws IOException, InterruptedException {
            HttpRequest request = HttpRequest.newBuilder(tokenEndpoint)
                    .timeout(LatchkeyHttp.REQUEST_TIMEOUT)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form))
                    .build();
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }

    /** Status and OAuth2 {@code error} member, e.g. {@code 400 invalid_grant}. */
    private static String errorKey(HttpResponse<String> answer) {
        String error = LatchkeyHttp.jsonString(answer.body(), "\"error\"");
        return answer.statusCode() + " " + (error == null ? "(no error member)" : error);
    }

    static String form(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
