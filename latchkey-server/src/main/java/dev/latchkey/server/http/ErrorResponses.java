package dev.latchkey.server.http;

import dev.latchkey.core.errors.ErrorCode;
import dev.latchkey.core.errors.LatchkeyException;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes every error body: {@code {error, code}} plus {@code fields} for validation failures. */
final class ErrorResponses {
    private ErrorResponses() {
    }

    static void write(Context ctx, LatchkeyException e) {
        e.retryAfter().ifPresent(wait -> ctx.header("Retry-After", Long.toString(retryAfterSeconds(wait))));
        write(ctx, e.code(), e.getMessage(), e.fields());
    }

    /** Whole seconds, rounded up, at least 1 (a client must never be told to retry at once). */
    static long retryAfterSeconds(java.time.Duration wait) {
        long seconds = wait.toSeconds();
        if (wait.minusSeconds(wait.toSeconds()).isPositive()) {
            seconds++;
        }
        return Math.max(1, seconds);
    }

    static void write(Context ctx, ErrorCode code, String message) {
        write(ctx, code, message, Map.of());
    }

    static void write(Context ctx, ErrorCode code, String message, Map<String, String> fields) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("code", code.name());
        if (!fields.isEmpty()) {
            body.put("fields", new java.util.TreeMap<>(fields));
        }
        ctx.attribute(RequestTelemetry.ERROR_CODE, code);
        ctx.status(ErrorStatus.of(code)).json(body);
    }
}
