package dev.latchkey.server.passwords;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.latchkey.server.Browser;
import dev.latchkey.server.Client;
import dev.latchkey.server.Client.Reply;
import dev.latchkey.testkit.MutableClock;
import dev.latchkey.server.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Have I Been Pwned check against a local stand-in speaking the range API: a known
 * password is refused at registration and password change, an unknown one accepted, and a
 * service that does not answer in time is failed open or closed as configured. The stand-in
 * records every request: only 5-hex-character prefixes ever reach it.
 */
class PwnedPasswordsOverHttpTest {
    static final String BREACHED = "this one leaked in a breach somewhere";
    static final String FRESH = "correct horse battery staple never leaked";
    private static final AtomicInteger USERS = new AtomicInteger();

    HttpServer standIn;
    final List<String> paths = new CopyOnWriteArrayList<>();
    final List<String> paddingHeaders = new CopyOnWriteArrayList<>();
    volatile long delayMillis;
    TestServer server;
    Client client;

    @BeforeEach
    void startStandIn() throws IOException {
        standIn = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        standIn.createContext("/range/", exchange -> {
            paths.add(exchange.getRequestURI().getPath());
            paddingHeaders.add(String.valueOf(exchange.getRequestHeaders().getFirst("Add-Padding")));
            String prefix = exchange.getRequestURI().getPath().substring("/range/".length());
            String breached = PwnedPasswords.sha1Hex(BREACHED);
            StringBuilder body = new StringBuilder();
            body.append("0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n");
            if (breached.startsWith(prefix)) {
                body.append(breached.substring(5)).append(":3861493\r\n");
            }
            String fresh = PwnedPasswords.sha1Hex(FRESH);
            if (fresh.startsWith(prefix)) {
                body.append(fresh.substring(5)).append(":0\r\n"); // a padding line: count 0 is not a breach
            }
            body.append("00D4F6E8FA6EECAD2A3AA415EEC418D38EC:2");
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            } catch (IOException ignored) {
                // the client gave up waiting
            }
        });
        standIn.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        standIn.start();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        standIn.stop(0);
    }

    void start(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("LATCHKEY_HIBP_ENABLED", "true");
        env.put("LATCHKEY_HIBP_URL", "http://127.0.0.1:" + standIn.getAddress().getPort() + "/range/");
        env.put("LATCHKEY_HIBP_TIMEOUT", "300ms");
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        server = TestServer.start(TestServer.Engine.SQLITE, new MutableClock(), env);
        client = new Client(server.baseUrl());
    }

    static String newEmail() {
        return "hibp" + USERS.incrementAndGet() + "-" + System.nanoTime() + "@example.com";
    }

    Reply register(String password) {
        return client.postJson("/auth/register", Client.json("email", newEmail(), "password", password));
    }

    void assertOnlyPrefixesWereSent() {
        assertThat(paths).isNotEmpty().allMatch(p -> p.matches("/range/[0-9A-F]{5}"));
        assertThat(paddingHeaders).containsOnly("true");
    }

    @Test
    void aBreachedPasswordIsRefusedAtRegistration() {
        start();
        Reply reply = register(BREACHED);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.code()).isEqualTo("VALIDATION_FAILED");
        assertThat(reply.json().get("fields").get("password").asText()).contains("has appeared in a data breach");
        assertThat(paths).containsExactly("/range/" + PwnedPasswords.sha1Hex(BREACHED).substring(0, 5));
        assertOnlyPrefixesWereSent();
    }

    @Test
    void anUnknownPasswordIsAcceptedAndAPaddingLineIsNoBreach() {
        start();
        assertThat(register(FRESH).status()).isEqualTo(201);
        assertOnlyPrefixesWereSent();
    }

    @Test
    void aBreachedNewPasswordIsRefusedAtPasswordChange() {
        start();
        Browser browser = new Browser(client);
        assertThat(browser.register(newEmail(), FRESH).status()).isEqualTo(201);
        Reply reply = client.postJson("/auth/password", Client.json("currentPassword", FRESH, "newPassword", BREACHED),
                "Authorization", "Bearer " + browser.accessToken);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("fields").get("newPassword").asText()).contains("has appeared in a data breach");
        assertOnlyPrefixesWereSent();
    }

    @Test
    void aSlowServiceFailsOpenByDefault() {
        start();
        delayMillis = 2_000;
        long started = System.nanoTime();
        assertThat(register(BREACHED).status()).isEqualTo(201);
        assertThat((System.nanoTime() - started) / 1_000_000).as("waited about the timeout, not the delay").isLessThan(1_900);
        assertOnlyPrefixesWereSent();
    }

    @Test
    void aSlowServiceFailsClosedWhenConfiguredWith503AndRetryAfter() {
        start("LATCHKEY_HIBP_FAIL_OPEN", "false");
        delayMillis = 2_000;
        Reply reply = register(FRESH);

        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.code()).isEqualTo("SERVICE_UNAVAILABLE");
        assertThat(reply.header("Retry-After")).isPresent();
        assertThat(Long.parseLong(reply.header("Retry-After").orElseThrow())).isPositive();
        assertOnlyPrefixesWereSent();
    }

    @Test
    void offByDefaultNothingLeavesTheServer() {
        server = TestServer.start(TestServer.Engine.SQLITE, new MutableClock(), Map.of(
                "LATCHKEY_HIBP_URL", "http://127.0.0.1:" + standIn.getAddress().getPort() + "/range/"));
        client = new Client(server.baseUrl());
        assertThat(register(BREACHED).status()).isEqualTo(201);
        assertThat(paths).isEmpty();
    }
}
