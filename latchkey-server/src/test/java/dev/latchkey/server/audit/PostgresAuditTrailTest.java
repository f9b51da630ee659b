package dev.latchkey.server.audit;

import dev.latchkey.server.TestServer;

class PostgresAuditTrailTest extends AuditTrailTest {
    @Override
    TestServer.Engine engine() {
        return TestServer.Engine.POSTGRES;
    }
}
