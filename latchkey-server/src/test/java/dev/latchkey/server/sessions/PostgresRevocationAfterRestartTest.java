package dev.latchkey.server.sessions;

import dev.latchkey.server.TestServer;

class PostgresRevocationAfterRestartTest extends RevocationAfterRestartTest {
    @Override
    TestServer.Engine engine() {
        return TestServer.Engine.POSTGRES;
    }
}
