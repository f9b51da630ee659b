package dev.latchkey.server.http;

import dev.latchkey.server.TestServer;

class SqliteSessionsTest extends SessionsContractTest {
    @Override
    TestServer.Engine engine() {
        return TestServer.Engine.SQLITE;
    }
}
