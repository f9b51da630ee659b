package dev.latchkey.server.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.server.Browser;
import dev.latchkey.server.Client;
import dev.latchkey.server.Client.Reply;
import dev.latchkey.server.SessionRows;
import dev.latchkey.server.TestServer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * "Requests racing with the same current token: exactly one rotation happens, and every racer
 * gets 200 with that one successor." Twenty real HTTP requests released together, checked both
 * in the answers and in what the database stored. Runs on SQLite and PostgreSQL through the
 * subclasses; the PostgreSQL one also races across two server instances.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RefreshRaceTest {
    static final String PASSWORD = "correct horse battery staple";
    static final int RACERS = 20;
    static final int ROUNDS = 3;

    TestServer server;

    abstract TestServer.Engine engine();

    @BeforeAll
    void startServer() {
        server = TestServer.start(engine(), Clock.systemUTC(), Map.of());
    }

    @AfterAll
    void stopServer() {
        server.close();
    }

    SessionRows rows() {
        return SessionRows.of(server.server().database().dataSource());
    }

    @Test
    void racersWithTheSameTokenShareExactlyOneRotation() {
        List<TestServer> targets = new ArrayList<>();
        for (int i = 0; i < RACERS; i++) {
            targets.add(server);
        }
        raceRoundsAndContinue(server, targets);
    }

    /**
     * Opens a session on {@code loginServer}, then {@link #ROUNDS} times releases one racer per
     * entry of {@code racerTargets} (the server that racer talks to) with the session's current
     * token, and finally checks the last successor refreshes normally on every distinct target.
     */
    void raceRoundsAndContinue(TestServer loginServer, List<TestServer> racerTargets) {
        Browser browser = new Browser(new Client(loginServer.baseUrl()));
        assertThat(browser.register(newEmail(), PASSWORD).status()).isEqualTo(201);
        String sessionId = SessionRows.sessionIdOf(browser.accessToken);
        List<Client> racers = racerTargets.stream().map(t -> new Client(t.baseUrl())).toList();

        String presented = browser.refreshToken;
        for (int round = 1; round <= ROUNDS; round++) {
            List<Reply> replies = race(racers, presented, browser.csrfToken);
            String successor = assertOneRotation(replies, presented, browser.csrfToken, sessionId, round + 1);
            presented = successor;
        }

        // The one successor is a normal current token: it rotates, on whichever instance.
        int expectedTokens = ROUNDS + 1;
        for (TestServer target : racerTargets.stream().distinct().toList()) {
            Browser next = new Browser(new Client(target.baseUrl()));
            next.refreshToken = presented;
            next.csrfToken = browser.csrfToken;
            Reply reply = next.refresh();
            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            assertThat(next.refreshToken).isNotEqualTo(presented);
            expectedTokens++;
            SessionRows.Row row = rows().session(sessionId);
            assertThat(row.currentHash()).isEqualTo(SessionRows.hash(next.refreshToken));
            assertThat(row.previousHash()).isEqualTo(SessionRows.hash(presented));
            assertThat(row.tokenCount()).isEqualTo(expectedTokens);
            assertThat(next.get("/api/me").status()).isEqualTo(200);
            presented = next.refreshToken;
        }
    }

    /** Releases every racer at once with the same refresh token and CSRF token; answers in racer order. */
    static List<Reply> race(List<Client> racers, String refreshToken, String csrfToken) {
        for (Client racer : racers) {
            assertThat(racer.get("/healthz").status()).isEqualTo(200); // open the connection before the start line
        }
        CyclicBarrier startLine = new CyclicBarrier(racers.size());
        ExecutorService threads = Executors.newFixedThreadPool(racers.size());
        try {
            List<Future<Reply>> answers = new ArrayList<>();
            for (Client racer : racers) {
                answers.add(threads.submit(() -> {
                    startLine.await(10, TimeUnit.SECONDS);
                    return racer.post("/auth/refresh", "Origin", Browser.ORIGIN,
                            "Cookie", "refresh_token=" + refreshToken + "; csrf_token=" + csrfToken,
                            "X-CSRF-Token", csrfToken);
                }));
            }
            List<Reply> replies = new ArrayList<>();
            for (Future<Reply> answer : answers) {
                replies.add(answer.get(30, TimeUnit.SECONDS));
            }
            return replies;
        } catch (Exception e) {
            throw new AssertionError("a racer failed", e);
        } finally {
            threads.shutdownNow();
        }
    }

    /** Every racer got 200 with one and the same successor, and the database holds exactly that one rotation. */
    String assertOneRotation(List<Reply> replies, String presented, String csrfToken, String sessionId,
                             int expectedTokenCount) {
        String outcomes = replies.stream().map(r -> r.status() + (r.status() == 200 ? "" : " " + r.code()))
                .collect(Collectors.joining(", "));
        assertThat(replies).as("statuses: " + outcomes).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));

        Set<String> successors = new TreeSet<>();
        for (Reply reply : replies) {
            successors.add(reply.cookieValue("refresh_token").orElseThrow());
            assertThat(reply.cookieValue("csrf_token")).hasValue(csrfToken);
            assertThat(reply.json().get("accessToken").asText()).isNotBlank();
        }
        assertThat(successors).as("distinct successors handed out").hasSize(1);
        String successor = successors.iterator().next();
        assertThat(successor).isNotEqualTo(presented).matches("[A-Za-z0-9_-]{43}");

        SessionRows.Row row = rows().session(sessionId);
        assertThat(row.currentHash()).isEqualTo(SessionRows.hash(successor));
        assertThat(row.previousHash()).isEqualTo(SessionRows.hash(presented));
        assertThat(row.revokedAt()).isNull();
        assertThat(row.tokenCount()).as("hashes the family ever had").isEqualTo(expectedTokenCount);
        return successor;
    }

    static String newEmail() {
        return "racer-" + System.nanoTime() + "@example.com";
    }
}
