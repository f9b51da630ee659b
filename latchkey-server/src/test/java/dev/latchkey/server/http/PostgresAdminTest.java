package dev.latchkey.server.http;

import dev.latchkey.server.TestServer;

class PostgresAdminTest extends AdminContractTest {
    @Override
    TestServer.Engine engine() {
        return TestServer.Engine.POSTGRES;
    }
}
