package dev.latchkey.server;

/**
 * What a browser tab holds for Latchkey: the access token in memory, the refresh and CSRF
 * cookies. Sends them the way a same-origin page would.
 */
public final class Browser {
    public static final String ORIGIN = "http://localhost:8080";

    private final Client client;
    public String accessToken;
    public String refreshToken;
    public String csrfToken;

    public Browser(Client client) {
        this.client = client;
    }

    public Client.Reply register(String email, String password) {
        return keep(client.postJson("/auth/register", Client.json("email", email, "password", password)));
    }

    public Client.Reply login(String email, String password) {
        return keep(client.postJson("/auth/login", Client.json("email", email, "password", password)));
    }

    public Client.Reply refresh() {
        return keep(client.post("/auth/refresh", "Origin", ORIGIN, "Cookie", cookieHeader(), "X-CSRF-Token", nz(csrfToken)));
    }

    /** Refresh presenting a given refresh token (e.g. an old one), without keeping what comes back. */
    public Client.Reply refreshWith(String presentedRefreshToken) {
        return client.post("/auth/refresh", "Origin", ORIGIN, "Cookie", "refresh_token=" + presentedRefreshToken
                + "; csrf_token=" + nz(csrfToken), "X-CSRF-Token", nz(csrfToken));
    }

    public Client.Reply logout() {
        return keep(client.post("/auth/logout", "Origin", ORIGIN, "Cookie", cookieHeader(), "X-CSRF-Token", nz(csrfToken)));
    }

    public Client.Reply get(String path) {
        return client.get(path, "Authorization", "Bearer " + accessToken);
    }

    public String cookieHeader() {
        return "refresh_token=" + nz(refreshToken) + "; csrf_token=" + nz(csrfToken);
    }

    private Client.Reply keep(Client.Reply reply) {
        if (reply.status() / 100 == 2 && reply.body() != null && !reply.body().isEmpty()) {
            var body = reply.json();
            if (body.has("accessToken")) {
                accessToken = body.get("accessToken").asText();
            }
        }
        reply.cookieValue("refresh_token").ifPresent(v -> refreshToken = v);
        reply.cookieValue("csrf_token").ifPresent(v -> csrfToken = v);
        return reply;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
