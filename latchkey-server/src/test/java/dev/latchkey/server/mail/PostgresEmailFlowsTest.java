package dev.latchkey.server.mail;

import dev.latchkey.server.TestServer;

class PostgresEmailFlowsTest extends EmailFlowsTest {
    @Override
    TestServer.Engine engine() {
        return TestServer.Engine.POSTGRES;
    }
}
