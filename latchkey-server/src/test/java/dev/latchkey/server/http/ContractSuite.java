package dev.latchkey.server.http;

import dev.latchkey.server.Client;
import dev.latchkey.server.TestServer;
import dev.latchkey.testkit.MutableClock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * What the HTTP contract suites share: one in-process server per test class, on the engine
 * the SQLite or PostgreSQL subclass names, with a clock the tests move by hand. The server is
 * started once per class (not per test) because a start migrates a database; the tests keep
 * apart by registering users of their own ({@link #newEmail}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ContractSuite {
    static final String PASSWORD = "correct horse battery staple";
    private static final AtomicInteger USERS = new AtomicInteger();

    final MutableClock clock;
    TestServer server;
    Client client;

    ContractSuite() {
        this(new MutableClock());
    }

    ContractSuite(MutableClock clock) {
        this.clock = clock;
    }

    abstract TestServer.Engine engine();

    /** This suite's settings on top of {@link TestServer}'s. */
    Map<String, String> settings() {
        return Map.of();
    }

    @BeforeAll
    void startServer() {
        server = TestServer.start(engine(), clock, settings());
        client = new Client(server.baseUrl());
    }

    @AfterAll
    void stopServer() {
        server.close();
    }

    /** An email no other test (of any suite, on any engine) has registered. */
    static String newEmail(String prefix) {
        return prefix + USERS.incrementAndGet() + "-" + System.nanoTime() + "@example.com";
    }
}
