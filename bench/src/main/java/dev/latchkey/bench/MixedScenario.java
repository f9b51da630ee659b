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
    private final String name;
    private final int verifyPercent;
    private final int refreshPercent;
    private final int loginPercent;

    MixedScenario(Supplier<HttpClient> clients, List<URI> bases, String origin, String runId) {
        this("mixed", 90, 9, 1, clients, bases, origin, runId);
    }

    /**
     * A scenario whose calls are, out of every 100 of a client, {@code verify} verifications,
     * {@code refresh} rotations and {@code login} logins (the three add up to 100): {@code verify}
     * is 100/0/0, {@code refresh} 0/100/0, {@code login} 0/0/100, {@code mixed} 90/9/1.
     */
    MixedScenario(String name, int verify, int refresh, int login, Supplier<HttpClient> clients, List<URI> bases,
                  String origin, String runId) {
        if (verify + refresh + login != 100 || verify < 0 || refresh < 0 || login < 0) {
            throw new IllegalArgumentException("the shares must add up to 100");
        }
        this.name = name;
        this.verifyPercent = verify;
        this.refreshPercent = refresh;
        this.loginPercent = login;
        this.clients = clients;
        this.bases = List.copyOf(bases);
        this.origin = origin;
        this.runId = runId;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String describe() {
        List<String> parts = new java.util.ArrayList<>();
        if (verifyPercent > 0) {
            parts.add(verifyPercent + "% GET /api/me");
        }
        if (refreshPercent > 0) {
            parts.add(refreshPercent + "% POST /auth/refresh");
        }
        if (loginPercent > 0) {
            parts.add(loginPercent + "% POST /auth/login");
        }
        return String.join(", ", parts) + (bases.size() > 1
                ? ", each client alternating between " + bases.size() + " instances" : "");
    }

    @Override
    public Worker newWorker(int index) {
        HttpClient client = clients.get();
        List<LatchkeyHttp> targets = bases.stream().map(base -> new LatchkeyHttp(client, base, origin)).toList();
        return new MixedWorker(targets, "bench-" + runId + "-" + index + "@example.com",
                "bench-" + runId + "-" + index + "-violet-anchor-harbour", index, new int[] {verifyPercent, refreshPercent,
                loginPercent});
    }

    static final class MixedWorker implements Worker {
        private final List<LatchkeyHttp> targets;
        private final String email;
        private final String password;
        private long calls;
        private boolean registered;
        private String accessToken;
        private String refreshToken;
        private String csrfToken;
        private final int[] shares;
        private long pause;

        MixedWorker(List<LatchkeyHttp> targets, String email, String password, int index, int[] shares) {
            this.shares = shares;
            this.targets = targets;
            this.email = email;
            this.password = password;
            this.calls = index; // spread the logins and refreshes of different clients over time
        }

        /** The access token of the last login or refresh (null before {@link #open()}). */
        String accessToken() {
            return accessToken;
        }

        private LatchkeyHttp next() {
            return targets.get((int) (calls % targets.size()));
        }

        @Override
        public void open() throws CallFailed, InterruptedException {
            String call = registered ? "login" : "register";
            LatchkeyHttp.Answer answer;
            int busy = 0;
            while (true) {
                try {
                    answer = registered ? next().login(email, password) : next().register(email, password);
                } catch (IOException e) {
                    throw new CallFailed(call + " " + e.getClass().getSimpleName());
                }
                // setup is not measured: a server that is busy hashing says when to come back
                if (answer.status() != 503 || answer.retryAfterSeconds() < 0 || ++busy > 120) {
                    break;
                }
                Thread.sleep(answer.retryAfterSeconds() * 1000);
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
                if (isLogin(slot)) {
                    answer = target.login(email, password);
                } else if (isRefresh(slot)) {
                    answer = target.refresh(refreshToken, csrfToken);
                } else {
                    answer = target.me(accessToken);
                }
            } catch (IOException e) {
                return e.getClass().getSimpleName();
            }
            pause = answer.status() == 503 && answer.retryAfterSeconds() > 0 ? answer.retryAfterSeconds() * 1000 : 0;
            if (answer.status() != 200) {
                if (answer.status() == 401 || answer.status() == 403) {
                    refreshToken = null;
                }
                return answer.errorKey();
            }
            keep(answer);
            return null;
        }

        /** The first {@code login} slots of each 100 log in (with 1: slot 0, as before). */
        private boolean isLogin(int slot) {
            return slot < shares[2];
        }

        /**
         * {@code refresh} slots of each 100, spread out: with 9, slots 1, 12, 23, ..., 89 (every
         * 11th); with 100 every slot.
         */
        private boolean isRefresh(int slot) {
            int refresh = shares[1];
            if (refresh == 0) {
                return false;
            }
            if (shares[0] == 0) {
                return true; // no verification: every call that is not a login refreshes
            }
            int step = Math.max(1, (100 - shares[2]) / refresh);
            int at = slot - shares[2];
            return at >= 0 && at % step == 0 && at / step < refresh;
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
        public long pauseMillis() {
            return pause;
        }

        @Override
        public boolean broken() {
            return refreshToken == null;
        }
    }
}
