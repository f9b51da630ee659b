package dev.latchkey.server.sessions;

import dev.latchkey.server.TestServer;
import dev.latchkey.testkit.RedisServer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The refresh race spread over three instances on one PostgreSQL and one Redis: one rotation, one successor for all. */
class RedisClusterRefreshRaceTest extends RefreshRaceTest {
    RedisServer redis;

    @Override
    TestServer.Engine engine() {
        return TestServer.Engine.POSTGRES;
    }

    @Override
    @BeforeAll
    void startServer() {
        redis = RedisServer.start();
        server = TestServer.start(engine(), Clock.systemUTC(), Map.of("LATCHKEY_REDIS_URL", redis.url()));
    }

    @Override
    @AfterAll
    void stopServer() {
        server.close();
        redis.close();
    }

    @Test
    void racersSplitAcrossThreeInstancesShareExactlyOneRotation() {
        Map<String, String> env = Map.of("LATCHKEY_REDIS_URL", redis.url());
        try (TestServer second = server.another(Clock.systemUTC(), env);
             TestServer third = server.another(Clock.systemUTC(), env)) {
            List<TestServer> targets = new ArrayList<>();
            for (int i = 0; i < RACERS; i++) {
                targets.add(switch (i % 3) {
                    case 0 -> server;
                    case 1 -> second;
                    default -> third;
                });
            }
            raceRoundsAndContinue(third, targets);
        }
    }
}
