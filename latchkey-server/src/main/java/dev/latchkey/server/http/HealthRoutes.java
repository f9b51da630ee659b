package dev.latchkey.server.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Liveness ({@code /healthz}: the process answers) and readiness ({@code /readyz}: the database answers too). */
final class HealthRoutes {
    private final BooleanSupplier databaseReady;

    HealthRoutes(BooleanSupplier databaseReady) {
        this.databaseReady = databaseReady;
    }

    void register(RoutesConfig routes) {
        routes.get("/healthz", ctx -> ctx.json(Map.of("status", "ok")));
        routes.get("/readyz", this::ready);
    }

    private void ready(Context ctx) {
        if (databaseReady.getAsBoolean()) {
            ctx.json(Map.of("status", "ready", "database", "up"));
        } else {
            ctx.status(503).json(Map.of("status", "unavailable", "database", "down",
                    "error", "The database is unreachable.", "code", "SERVICE_UNAVAILABLE"));
        }
    }
}
