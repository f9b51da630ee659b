package dev.latchkey.server.http;

import dev.latchkey.core.errors.ErrorCode;
import dev.latchkey.server.logging.RequestIds;
import dev.latchkey.server.metrics.LatchkeyMetrics;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * What every request leaves behind for operators: a request id (taken from a sane incoming
 * {@code X-Request-Id}, else generated; in the MDC while the request runs and echoed on every
 * response), one access log line, and the request, login and refresh metrics.
 *
 * <p>The access log names the route template and the path without its query string; it never
 * carries headers other than the user agent (so no {@code Authorization}, {@code Cookie} or
 * {@code Set-Cookie}), nor a body.
 */
final class RequestTelemetry {
    private static final Logger access = LoggerFactory.getLogger("latchkey.access");
    static final String REQUEST_ID = "latchkey.requestId";
    /** The error code answered, set by {@link ErrorResponses}. */
    static final String ERROR_CODE = "latchkey.errorCode";
    /** Set by the refresh route on success: {@code rotated} or {@code replayed_in_grace}. */
    static final String REFRESH_OUTCOME = "latchkey.refreshOutcome";
    private static final int USER_AGENT_MAX = 200;

    private final LatchkeyMetrics metrics;
    private final RequestContext requests;

    /** {@code metrics} null: nothing recorded and no {@code /metrics}. */
    RequestTelemetry(LatchkeyMetrics metrics, RequestContext requests) {
        this.metrics = metrics;
        this.requests = requests;
    }

    void register(RoutesConfig routes) {
        if (metrics != null) {
            routes.get("/metrics", ctx -> {
                LatchkeyMetrics.Scrape scrape = metrics.scrape(ctx.header("Accept"));
                ctx.contentType(scrape.contentType()).result(scrape.body());
            });
        }
    }

    /** First of all before-handlers: the request id. */
    void begin(Context ctx) {
        String id = RequestIds.acceptOrGenerate(ctx.header(RequestIds.HEADER));
        ctx.attribute(REQUEST_ID, id);
        ctx.header(RequestIds.HEADER, id);
        MDC.put(RequestIds.MDC_KEY, id);
    }

    /** From Javalin's request logger, once the response is written. */
    void end(Context ctx, float millis) {
        String id = ctx.attribute(REQUEST_ID);
        if (id != null) {
            MDC.put(RequestIds.MDC_KEY, id);
        }
        try {
            String route = route(ctx);
            int status = ctx.statusCode();
            String method = ctx.method().name();
            if (metrics != null) {
                metrics.recordRequest(method, route, status, (long) (millis * 1_000_000L));
                recordOutcome(method, route, status, ctx);
            }
            String userAgent = ctx.header("User-Agent");
            if (userAgent != null && userAgent.length() > USER_AGENT_MAX) {
                userAgent = userAgent.substring(0, USER_AGENT_MAX);
            }
            long ms = Math.round(millis);
            access.atInfo()
                    .addKeyValue("method", method)
                    .addKeyValue("route", route)
                    .addKeyValue("path", ctx.path())
                    .addKeyValue("status", status)
                    .addKeyValue("duration_ms", ms)
                    .addKeyValue("client_ip", clientIp(ctx))
                    .addKeyValue("user_agent", userAgent)
                    .log("{} {} {} {}ms", method, ctx.path(), status, ms);
        } finally {
            MDC.remove(RequestIds.MDC_KEY);
        }
    }

    private void recordOutcome(String method, String route, int status, Context ctx) {
        if (!method.equals("POST")) {
            return;
        }
        ErrorCode code = ctx.attribute(ERROR_CODE);
        if (route.equals("/auth/login")) {
            metrics.recordLogin(status < 300 ? "success" : outcomeOf(code, status));
        } else if (route.equals("/auth/refresh")) {
            if (status < 300) {
                String outcome = ctx.attribute(REFRESH_OUTCOME);
                metrics.recordRefresh(outcome == null ? "rotated" : outcome);
            } else {
                metrics.recordRefresh(refreshOutcomeOf(code, status));
            }
        }
    }

    private static String refreshOutcomeOf(ErrorCode code, int status) {
        if (code == null) {
            return outcomeOf(null, status);
        }
        return switch (code) {
            case REFRESH_TOKEN_REUSED -> "reused";
            case REFRESH_TOKEN_INVALID -> "invalid";
            case SESSION_EXPIRED -> "expired";
            case REFRESH_TOKEN_MISSING -> "missing";
            default -> outcomeOf(code, status);
        };
    }

    /** The error code lowercased (a bounded set), or the status class when no code was written. */
    private static String outcomeOf(ErrorCode code, int status) {
        return code != null ? code.name().toLowerCase(Locale.ROOT) : "status_" + (status / 100) + "xx";
    }

    /** The matched route template, or {@link LatchkeyMetrics#UNMATCHED}: never the raw path. */
    static String route(Context ctx) {
        try {
            Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
            return endpoint == null ? LatchkeyMetrics.UNMATCHED : endpoint.path;
        } catch (RuntimeException e) {
            return LatchkeyMetrics.UNMATCHED;
        }
    }

    private String clientIp(Context ctx) {
        try {
            return requests.clientIp(ctx);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
