package dev.latchkey.server.sessions;

import dev.latchkey.server.TestServer;

class SqliteRefreshRaceTest extends RefreshRaceTest {
    @Override
    TestServer.Engine engine() {
        return TestServer.Engine.SQLITE;
    }
}
