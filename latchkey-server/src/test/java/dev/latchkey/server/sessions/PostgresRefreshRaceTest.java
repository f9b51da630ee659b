package dev.latchkey.server.sessions;

import dev.latchkey.server.TestServer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PostgresRefreshRaceTest extends RefreshRaceTest {
    @Override
    TestServer.Engine engine() {
        return TestServer.Engine.POSTGRES;
    }

    /**
     * "This holds across several server instances sharing one database": a second instance
     * with its own pool on the same database and data directory (same CSRF secret, same
     * signing key), the racers alternating between the two.
     */
    @Test
    void racersSplitAcrossTwoInstancesShareExactlyOneRotation() {
        try (TestServer second = server.another(Clock.systemUTC(), Map.of())) {
            List<TestServer> targets = new ArrayList<>();
            for (int i = 0; i < RACERS; i++) {
                targets.add(i % 2 == 0 ? server : second);
            }
            raceRoundsAndContinue(second, targets);
        }
    }
}
