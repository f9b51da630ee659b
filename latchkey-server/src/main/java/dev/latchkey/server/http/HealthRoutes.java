package dev.latchkey.server.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Liveness ({@code /healthz}: the process answers) and readiness ({@code /readyz}: which
 * dependencies answer). The database is required: without it {@code /readyz} is {@code 503}.
 * Redis is not: without it Latchkey keeps serving correctly (revocations are polled from the
 * database every second, rate limits and lockouts count per instance), so {@code /readyz} stays
 * {@code 200} with {@code status: degraded, redis: down}; taking every instance out of the load
 * balancer because Redis blinked would turn a degraded service into an outage.
 */
public final class HealthRoutes {
    /** How Redis is doing: {@code disabled} when not configured. */
    public interface RedisHealth {
        /** "up", "down" or "disabled". */
        String state();

        RedisHealth DISABLED = () -> "disabled";
    }

    private final BooleanSupplier databaseReady;
    private final RedisHealth redis;

    HealthRoutes(BooleanSupplier databaseReady, RedisHealth redis) {
        this.databaseReady = databaseReady;
        this.redis = redis == null ? RedisHealth.DISABLED : redis;
    }

    void register(RoutesConfig routes) {
        routes.get("/healthz", ctx -> ctx.json(Map.of("status", "ok")));
        routes.get("/readyz", this::ready);
    }

    private void ready(Context ctx) {
        boolean database = databaseReady.getAsBoolean();
        String redisState = redis.state();
        Map<String, Object> body = new LinkedHashMap<>();
        if (!database) {
            body.put("status", "unavailable");
        } else {
            body.put("status", "down".equals(redisState) ? "degraded" : "ready");
        }
        body.put("database", database ? "up" : "down");
        body.put("redis", redisState);
        if (!database) {
            body.put("error", "The database is unreachable.");
            body.put("code", "SERVICE_UNAVAILABLE");
            ctx.status(503);
        }
        ctx.json(body);
    }
}
