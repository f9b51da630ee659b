package dev.latchkey.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.List;
import java.util.function.Supplier;

/**
 * Mixed load, as a site sees it: out of every 100 calls of a client, 90 verify ({@code GET /api/me}
 * with its access token), 9 refresh (rotating its cookie) and 1 logs in again (a password
 * verification). With several base URLs each client alternates between them call by call, as a
 * round-robin load balancer would, carrying its tokens from one instance to the next.
 */
final class MixedScenario implements Scenario {
    private static final String ACCESS_TOKEN = "\"accessToken\"";
    private static final String CSRF_TOKEN = "\"csrfToken\"";

    private final Supplier<HttpClient> clients;
    private final List<URI> bases;
    private final String origin;
    private final String runId;

    MixedScenario(Supplier<HttpClient> clients, List<URI> bases, String origin, String runId) {
        this.clients = clients;
        this.bases = List.copyOf(bases);
        this.origin = origin;
        this.runId = runId;
    }

    @Override
    public String name() {
        return "mixed";
    }

    @Override
    public String describe() {
        return "90% GET /api/me, 9% POST /auth/refresh, 1% POST /auth/login" + (bases.size() > 1
                ? ", each client alternating between " + bases.size() + " instances" : "");
    }

    @Override
    public Worker newWorker(int index) {
        HttpClient client = clients.get();
        List<LatchkeyHttp> targets = bases.stream().map(base -> new LatchkeyHttp(client, base, origin)).toList();
        return new MixedWorker(targets, "bench-" + runId + "-" + index + "@example.com",
                "bench-" + runId + "-" + index + "-violet-anchor-harbour", index);
    }

    private static final class MixedWorker implements Worker {
        private final List<LatchkeyHttp> targets;
        private final String email;
        private final String password;
        private long calls;
        private boolean registered;
        private String accessToken;
        private String refreshToken;
        private String csrfToken;

        MixedWorker(List<LatchkeyHttp> targets, String email, String password, int index) {
            this.targets = targets;
            this.email = email;
            this.password = password;
            this.calls = index; // spread the logins and refreshes of different clients over time
        }

        private LatchkeyHttp next() {
            return targets.get((int) (calls % targets.size()));
        }

        @Override
        public void open() throws CallFailed, InterruptedException {
            String call = registered ? "login" : "register";
            LatchkeyHttp.Answer answer;
            try {
                answer = registered ? next().login(email, password) : next().register(email, password);
            } catch (IOException e) {
                throw new CallFailed(call + " " + e.getClass().getSimpleName());
            }
            if (answer.status() == 409 && !registered) {
                registered = true;
            }
            if (answer.status() != (registered ? 200 : 201) && !(answer.status() == 201 && !registered)) {
                throw new CallFailed(call + " " + answer.errorKey());
            }
            registered = true;
            keep(answer);
            if (refreshToken == null || accessToken == null) {
                throw new CallFailed(call + " without tokens");
            }
        }

        @Override
        public String step() throws InterruptedException {
            calls++;
            int slot = (int) (calls % 100);
            LatchkeyHttp target = next();
            LatchkeyHttp.Answer answer;
            try {
                if (slot == 0) {
                    answer = target.login(email, password);
                } else if (slot % 11 == 1) { // 9 of 100: 1, 12, 23, ..., 89
                    answer = target.refresh(refreshToken, csrfToken);
                } else {
                    answer = target.me(accessToken);
                }
            } catch (IOException e) {
                return e.getClass().getSimpleName();
            }
            if (answer.status() != 200) {
                if (answer.status() == 401 || answer.status() == 403) {
                    refreshToken = null;
                }
                return answer.errorKey();
            }
            keep(answer);
            return null;
        }

        private void keep(LatchkeyHttp.Answer answer) {
            String access = LatchkeyHttp.jsonString(answer.body(), ACCESS_TOKEN);
            if (access != null) {
                accessToken = access;
            }
            String csrf = LatchkeyHttp.jsonString(answer.body(), CSRF_TOKEN);
            if (csrf != null) {
                csrfToken = csrf;
            }
            if (answer.refreshToken() != null) {
                refreshToken = answer.refreshToken();
            }
        }

        @Override
        public boolean broken() {
            return refreshToken == null;
        }
    }
}
