package dev.latchkey.server.mail;

import dev.latchkey.server.TestServer;

class SqliteEmailFlowsTest extends EmailFlowsTest {
    @Override
    TestServer.Engine engine() {
        return TestServer.Engine.SQLITE;
    }
}
