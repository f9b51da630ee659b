package dev.latchkey.server.cli;

import dev.latchkey.server.TestServer;

class SqliteUsersCliTest extends UsersCliContractTest {
    @Override
    TestServer.Engine engine() {
        return TestServer.Engine.SQLITE;
    }
}
