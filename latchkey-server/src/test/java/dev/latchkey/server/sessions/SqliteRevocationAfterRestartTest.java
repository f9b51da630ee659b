package dev.latchkey.server.sessions;

import dev.latchkey.server.TestServer;

class SqliteRevocationAfterRestartTest extends RevocationAfterRestartTest {
    @Override
    TestServer.Engine engine() {
        return TestServer.Engine.SQLITE;
    }
}
