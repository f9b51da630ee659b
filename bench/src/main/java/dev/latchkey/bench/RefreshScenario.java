package dev.latchkey.bench;

import java.io.IOException;
import java.net.http.HttpClient;
import java.util.function.Supplier;

/**
 * Refresh rotation: each client registers its own user (so each has its own session, its own
 * token family), then loops {@code POST /auth/refresh} with its current {@code refresh_token}
 * cookie, {@code X-CSRF-Token} and {@code Origin}, carrying the rotated cookie of each answer
 * into the next call.
 *
 * <p>Any answer but a {@code 200} carrying a new refresh cookie and an access token is an error.
 * A {@code 401} or {@code 403} ends the client's session: it logs in again (not timed) before its
 * next refresh, and the break stays counted as an error. A transport failure keeps the token:
 * a retry inside the reuse grace window gets the same successor, as the contract promises.
 */
final class RefreshScenario implements Scenario {
    private static final String ACCESS_TOKEN = "\"accessToken\"";
    private static final String CSRF_TOKEN = "\"csrfToken\"";

    private final Supplier<HttpClient> clients;
    private final java.net.URI base;
    private final String origin;
    private final String runId;

    RefreshScenario(Supplier<HttpClient> clients, java.net.URI base, String origin, String runId) {
        this.clients = clients;
        this.base = base;
        this.origin = origin;
        this.runId = runId;
    }

    @Override
    public String name() {
        return "refresh";
    }

    @Override
    public String describe() {
        return "POST /auth/refresh with the client's current refresh cookie, X-CSRF-Token and Origin";
    }

    @Override
    public Worker newWorker(int index) {
        return new RefreshWorker(new LatchkeyHttp(clients.get(), base, origin),
                "bench-" + runId + "-" + index + "@example.com",
                // 15+ code points, not on the common-password list
                "bench-" + runId + "-" + index + "-violet-anchor-harbour");
    }

    private static final class RefreshWorker implements Worker {
        private final LatchkeyHttp http;
        private final String email;
        private final String password;
        private boolean registered;
        private String refreshToken;
        private String csrfToken;

        RefreshWorker(LatchkeyHttp http, String email, String password) {
            this.http = http;
            this.email = email;
            this.password = password;
        }

        @Override
        public void open() throws CallFailed, InterruptedException {
            LatchkeyHttp.Answer answer;
            String call = registered ? "login" : "register";
            try {
                answer = registered ? http.login(email, password) : http.register(email, password);
            } catch (IOException e) {
                throw new CallFailed(call + " " + transportKey(e));
            }
            int expected = registered ? 200 : 201;
            if (answer.status() == 409 && !registered) {
                // registered by an earlier attempt whose answer was lost: log in next time
                registered = true;
            }
            if (answer.status() != expected) {
                throw new CallFailed(call + " " + answer.errorKey());
            }
            registered = true;
            String csrf = LatchkeyHttp.jsonString(answer.body(), CSRF_TOKEN);
            if (answer.refreshToken() == null || csrf == null) {
                throw new CallFailed(call + " " + answer.status() + " without refresh cookie or csrfToken");
            }
            refreshToken = answer.refreshToken();
            csrfToken = csrf;
        }

        @Override
        public String step() throws InterruptedException {
            LatchkeyHttp.Answer answer;
            try {
                answer = http.refresh(refreshToken, csrfToken);
            } catch (IOException e) {
                return transportKey(e);
            }
            if (answer.status() != 200) {
                if (answer.status() == 401 || answer.status() == 403) {
                    refreshToken = null;
                }
                return answer.errorKey();
            }
            if (answer.refreshToken() == null || answer.body().indexOf(ACCESS_TOKEN) < 0) {
                refreshToken = null;
                return "200 without refresh cookie or accessToken";
            }
            refreshToken = answer.refreshToken();
            String csrf = LatchkeyHttp.jsonString(answer.body(), CSRF_TOKEN);
            if (csrf != null) {
                csrfToken = csrf;
            }
            return null;
        }

        @Override
        public boolean broken() {
            return refreshToken == null;
        }

        private static String transportKey(IOException e) {
            String message = e.getMessage();
            return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        }
    }
}
