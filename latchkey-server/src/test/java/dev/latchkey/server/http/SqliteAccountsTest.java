package dev.latchkey.server.http;

import dev.latchkey.server.TestServer;

class SqliteAccountsTest extends AccountsContractTest {
    @Override
    TestServer.Engine engine() {
        return TestServer.Engine.SQLITE;
    }
}
