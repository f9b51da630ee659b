package dev.latchkey.server.http;

import dev.latchkey.server.TestServer;

class PostgresSessionsTest extends SessionsContractTest {
    @Override
    TestServer.Engine engine() {
        return TestServer.Engine.POSTGRES;
    }
}
