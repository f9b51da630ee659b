package dev.latchkey.server.audit;

import dev.latchkey.server.TestServer;

class SqliteAuditTrailTest extends AuditTrailTest {
    @Override
    TestServer.Engine engine() {
        return TestServer.Engine.SQLITE;
    }
}
