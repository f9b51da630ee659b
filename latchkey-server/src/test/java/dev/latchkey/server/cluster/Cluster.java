package dev.latchkey.server.cluster;

import dev.latchkey.server.Client;
import dev.latchkey.server.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Several in-process Latchkey instances on one PostgreSQL database and one Redis. */
final class Cluster implements AutoCloseable {
    final List<TestServer> nodes = new ArrayList<>();

    static Cluster start(int size, String redisUrl, Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(overrides);
        env.put("LATCHKEY_REDIS_URL", redisUrl);
        Cluster cluster = new Cluster();
        TestServer first = TestServer.start(TestServer.Engine.POSTGRES, Clock.systemUTC(), env);
        cluster.nodes.add(first);
        for (int i = 1; i < size; i++) {
            cluster.nodes.add(first.another(Clock.systemUTC(), env));
        }
        return cluster;
    }

    TestServer node(int i) {
        return nodes.get(i);
    }

    Client client(int i) {
        return new Client(nodes.get(i).baseUrl());
    }

    @Override
    public void close() {
        for (TestServer node : nodes) {
            node.close();
        }
    }

    /** Waits until {@code condition} holds; returns how long it took, or fails after {@code limit}. */
    static Duration await(Duration limit, String what, BooleanSupplier condition) {
        long started = System.nanoTime();
        long deadline = started + limit.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return Duration.ofNanos(System.nanoTime() - started);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + limit);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** The {@code kid} of a JWT's header. */
    static String kid(String jwt) {
        String header = new String(Base64.getUrlDecoder().decode(jwt.substring(0, jwt.indexOf('.'))), StandardCharsets.UTF_8);
        int at = header.indexOf("\"kid\"");
        int start = header.indexOf('"', header.indexOf(':', at) + 1) + 1;
        return header.substring(start, header.indexOf('"', start));
    }
}
