package dev.latchkey.server.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.server.Browser;
import dev.latchkey.server.Client;
import dev.latchkey.server.Client.Reply;
import dev.latchkey.server.ProcessServer;
import dev.latchkey.server.SessionRows;
import dev.latchkey.server.TestServer;
import dev.latchkey.testkit.LatchkeyProcess;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A server killed with SIGKILL in the middle of refresh load leaves no session unusable: after a
 * cold start on the same PostgreSQL database and data directory, every client's token still
 * refreshes. A request that was in flight at the kill either never committed (the client's
 * token is still current) or committed and lost its answer (the client's token is the
 * predecessor, answered through the grace window with the successor that was stored).
 *
 * <p>The grace window is set to 60 s here rather than the default 10 s: the window opened by a
 * rotation committed just before the kill has to cover a cold JVM start and Flyway's check on
 * a loaded CI machine, and the subject of this test is what survives the crash, not the
 * window's length (which RefreshDecisionsTest pins down).
 */
class CrashSafetyTest {
    private static final String PASSWORD = "correct horse battery staple";
    private static final int SESSIONS = 30;
    private static final long LOAD_MILLIS = 1500;
    private static final Map<String, String> ENV = Map.of("LATCHKEY_REFRESH_REUSE_GRACE", "60s");

    /** One client's view of its session: what it sent last and what it got back last. */
    static final class Tab {
        final String sessionId;
        final String csrfToken;
        volatile String lastSent;
        volatile String lastReceived;
        volatile boolean inFlightAtCrash;
        volatile String failureBeforeCrash;
        volatile int refreshes;

        Tab(String sessionId, String refreshToken, String csrfToken) {
            this.sessionId = sessionId;
            this.lastReceived = refreshToken;
            this.csrfToken = csrfToken;
        }

        /** The token the client holds: the one it sent when the answer was lost, else the last it received. */
        String held() {
            return inFlightAtCrash ? lastSent : lastReceived;
        }
    }

    @Test
    void aHardKillDuringRefreshLoadLeavesNoSessionUnusable() throws Exception {
        String databaseUrl = TestServer.freshDatabase(TestServer.Engine.POSTGRES);
        Path dataDirectory = TestServer.tempDirectory();
        List<Tab> tabs = new ArrayList<>();
        int exitValue;
        String firstLog;

        try (LatchkeyProcess first = ProcessServer.start(databaseUrl, dataDirectory, ENV)) {
            Client client = new Client(first.baseUrl());
            String email = "crash-" + System.nanoTime() + "@example.com";
            assertThat(new Browser(client).register(email, PASSWORD).status()).isEqualTo(201);
            for (int i = 0; i < SESSIONS; i++) {
                Browser browser = new Browser(client);
                assertThat(browser.login(email, PASSWORD).status()).isEqualTo(200);
                tabs.add(new Tab(SessionRows.sessionIdOf(browser.accessToken), browser.refreshToken, browser.csrfToken));
            }

            AtomicBoolean killed = new AtomicBoolean();
            List<Thread> loaders = new ArrayList<>();
            for (Tab tab : tabs) {
                loaders.add(Thread.ofPlatform().name("refresh-load").start(() -> refreshUntilItFails(client, tab, killed)));
            }
            Thread.sleep(LOAD_MILLIS);
            // on a slow machine, give every session at least one rotation before the kill
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (tabs.stream().anyMatch(t -> t.refreshes == 0 && t.failureBeforeCrash == null) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            killed.set(true);
            exitValue = first.kill();
            for (Thread loader : loaders) {
                loader.join(30_000);
                assertThat(loader.isAlive()).as("a client still waiting after the kill").isFalse();
            }
            firstLog = first.logText();
        }

        assertThat(exitValue).as("exit value of a process ended by SIGKILL (128 + 9)").isEqualTo(137);
        for (Tab tab : tabs) {
            assertThat(tab.failureBeforeCrash).as("an answer before the kill").isNull();
        }
        int totalRefreshes = tabs.stream().mapToInt(t -> t.refreshes).sum();
        assertThat(tabs).as("every session rotated before the kill").allMatch(t -> t.refreshes > 0);

        SessionRows rows = SessionRows.of(databaseUrl);
        Map<String, Integer> states = new TreeMap<>();
        List<String> unusable = new ArrayList<>();
        long restartStarted = System.nanoTime();
        long restartMillis;
        try (LatchkeyProcess second = ProcessServer.start(databaseUrl, dataDirectory, ENV)) {
            restartMillis = (System.nanoTime() - restartStarted) / 1_000_000;
            Client client = new Client(second.baseUrl());
            for (Tab tab : tabs) {
                SessionRows.Row row = rows.session(tab.sessionId);
                String heldHash = SessionRows.hash(tab.held());
                String state;
                if (heldHash.equals(row.currentHash())) {
                    state = tab.inFlightAtCrash ? "in flight, not committed: token still current"
                            : "idle at the kill: token current";
                } else if (heldHash.equals(row.previousHash())) {
                    state = tab.inFlightAtCrash ? "in flight, committed, answer lost: replayed in grace"
                            : "idle at the kill but token is the predecessor (unexpected)";
                } else {
                    state = "token neither current nor previous";
                }
                states.merge(state, 1, Integer::sum);

                Reply reply = refresh(client, tab.held(), tab.csrfToken);
                if (reply.status() != 200) {
                    unusable.add(tab.sessionId + " (" + state + "): " + reply.status() + " " + reply.code());
                    continue;
                }
                String successor = reply.cookieValue("refresh_token").orElseThrow();
                if (heldHash.equals(row.previousHash())) {
                    // the replay hands out the successor the crashed server stored, not a new one
                    assertThat(SessionRows.hash(successor)).isEqualTo(row.currentHash());
                }
                Reply next = refresh(client, successor, tab.csrfToken);
                if (next.status() != 200) {
                    unusable.add(tab.sessionId + " (" + state + ", successor): " + next.status() + " " + next.code());
                }
            }
        }

        String report = "after " + totalRefreshes + " refreshes before the kill, sessions by state at restart: " + states
                + " (cold restart to ready: " + restartMillis + " ms)";
        System.out.println("CrashSafetyTest: " + report);
        assertThat(unusable).as(report + "\nlog of the killed server:\n" + firstLog).isEmpty();
        assertThat(states.keySet()).as(report).allMatch(s -> !s.contains("unexpected") && !s.contains("neither"));
    }

    /** Refreshes in a loop until the server goes away; remembers the last token sent and received. */
    private static void refreshUntilItFails(Client client, Tab tab, AtomicBoolean killed) {
        while (true) {
            String sending = tab.lastReceived;
            tab.lastSent = sending;
            Reply reply;
            try {
                reply = refresh(client, sending, tab.csrfToken);
            } catch (UncheckedIOException e) {
                tab.inFlightAtCrash = true;
                if (!killed.get()) {
                    tab.failureBeforeCrash = "I/O failure before the kill: " + e.getCause();
                }
                return;
            }
            if (reply.status() != 200) {
                if (!killed.get()) {
                    tab.failureBeforeCrash = reply.status() + " " + reply.body();
                }
                return;
            }
            tab.lastReceived = reply.cookieValue("refresh_token").orElseThrow();
            tab.refreshes++;
        }
    }

    private static Reply refresh(Client client, String refreshToken, String csrfToken) {
        return client.post("/auth/refresh", "Origin", Browser.ORIGIN,
                "Cookie", "refresh_token=" + refreshToken + "; csrf_token=" + csrfToken, "X-CSRF-Token", csrfToken);
    }
}
