package dev.latchkey.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.server.Client;
import dev.latchkey.server.Client.Reply;
import dev.latchkey.testkit.MutableClock;
import dev.latchkey.server.TestServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Every response carries {@code X-Request-Id}: the caller's when it is a sane token, else a new one. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestIdTest {
    TestServer server;
    Client client;

    @BeforeAll
    void start() {
        server = TestServer.start(TestServer.Engine.SQLITE, new MutableClock(), Map.of());
        client = new Client(server.baseUrl());
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void aSaneIncomingIdIsEchoed() {
        Reply reply = client.get("/healthz", "X-Request-Id", "edge-7f3a.42_B");

        assertThat(reply.header("X-Request-Id")).contains("edge-7f3a.42_B");
    }

    @Test
    void withoutAnIdOneIsGeneratedAndEachResponseGetsItsOwn() {
        String first = client.get("/healthz").header("X-Request-Id").orElseThrow();
        String second = client.get("/healthz").header("X-Request-Id").orElseThrow();

        assertThat(RequestIds.isSane(first)).isTrue();
        assertThat(second).isNotEqualTo(first);
    }

    @Test
    void anInsaneIncomingIdIsReplaced() {
        for (String bad : new String[] {"a".repeat(65), "has space", "semi;colon", "quote\"d", "é", "{\"json\":1}"}) {
            String answered = client.get("/healthz", "X-Request-Id", bad).header("X-Request-Id").orElseThrow();

            assertThat(answered).as(bad).isNotEqualTo(bad);
            assertThat(RequestIds.isSane(answered)).as(bad).isTrue();
        }
        assertThat(client.get("/healthz", "X-Request-Id", "a".repeat(64)).header("X-Request-Id")).contains("a".repeat(64));
    }

    @Test
    void errorsCarryTheIdToo() {
        assertThat(client.get("/api/me", "X-Request-Id", "err-401").header("X-Request-Id")).contains("err-401");
        assertThat(client.get("/no/such/route", "X-Request-Id", "err-404").header("X-Request-Id")).contains("err-404");
        assertThat(client.send("PATCH", "/auth/login", null, null, "X-Request-Id", "err-405").header("X-Request-Id"))
                .contains("err-405");
        assertThat(client.postJson("/auth/login", "{not json", "X-Request-Id", "err-400").header("X-Request-Id"))
                .contains("err-400");
        Reply tooBig = client.postJsonExpectingContinue("/auth/login", "{\"email\":\"" + "a".repeat(20_000) + "\"}", "X-Request-Id", "err-413");
        assertThat(tooBig.status()).isEqualTo(413);
        assertThat(tooBig.header("X-Request-Id")).contains("err-413");
        Reply headerTooLarge = client.get("/healthz", "X-Padding", "p".repeat(40 * 1024));
        assertThat(headerTooLarge.status()).isEqualTo(431);
        assertThat(headerTooLarge.header("X-Request-Id")).hasValueSatisfying(id -> assertThat(RequestIds.isSane(id)).isTrue());
    }

    @Test
    void saneTokens() {
        assertThat(RequestIds.isSane("abc-DEF_0.9")).isTrue();
        assertThat(RequestIds.isSane("")).isFalse();
        assertThat(RequestIds.isSane(null)).isFalse();
        assertThat(RequestIds.isSane("a\nb")).isFalse();
        assertThat(RequestIds.isSane("a".repeat(65))).isFalse();
        assertThat(RequestIds.acceptOrGenerate("ok-1")).isEqualTo("ok-1");
    }
}
