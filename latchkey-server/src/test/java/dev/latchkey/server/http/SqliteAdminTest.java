package dev.latchkey.server.http;

import dev.latchkey.server.TestServer;

class SqliteAdminTest extends AdminContractTest {
    @Override
    TestServer.Engine engine() {
        return TestServer.Engine.SQLITE;
    }
}
