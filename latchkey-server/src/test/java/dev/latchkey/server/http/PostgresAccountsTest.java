package dev.latchkey.server.http;

import dev.latchkey.server.TestServer;

class PostgresAccountsTest extends AccountsContractTest {
    @Override
    TestServer.Engine engine() {
        return TestServer.Engine.POSTGRES;
    }
}
