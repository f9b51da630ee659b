package dev.latchkey.server.cli;

import dev.latchkey.server.TestServer;

class PostgresUsersCliTest extends UsersCliContractTest {
    @Override
    TestServer.Engine engine() {
        return TestServer.Engine.POSTGRES;
    }
}
