package dev.latchkey.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latchkey.core.accounts.AccountService;
import dev.latchkey.core.administration.UserAdministration;
import dev.latchkey.core.audit.AuditLog;
import dev.latchkey.core.audit.AuditStore;
import dev.latchkey.core.errors.ErrorCode;
import dev.latchkey.core.errors.LatchkeyException;
import dev.latchkey.core.ratelimit.AbuseLimits;
import dev.latchkey.core.ratelimit.FailureLockout;
import dev.latchkey.core.ratelimit.RateLimiter;
import dev.latchkey.core.sessions.SessionService;
import dev.latchkey.core.tokens.AccessTokenIssuer;
import dev.latchkey.core.tokens.AccessTokenVerifier;
import dev.latchkey.core.tokens.KeyRing;
import dev.latchkey.core.tokens.TokenSettings;
import dev.latchkey.server.mail.AccountMail;
import dev.latchkey.server.metrics.LatchkeyMetrics;
import dev.latchkey.store.StoreUnavailableException;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import org.eclipse.jetty.server.handler.GracefulHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Latchkey's HTTP edge: routes, headers and the mapping of every failure to a JSON error with a
 * stable code. Handlers only parse, call the domain and answer; they never build error JSON.
 */
public final class HttpApi {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    static final String ERROR_WRITTEN = "latchkey.errorWritten";

    /** What the HTTP edge needs from the rest of Latchkey. */
    public record Dependencies(
            AccountService accounts,
            SessionService sessions,
            UserAdministration administration,
            AccessTokenIssuer issuer,
            AccessTokenVerifier verifier,
            Supplier<KeyRing> keys,
            TokenSettings tokenSettings,
            List<String> allowedOrigins,
            List<String> trustedProxies,
            boolean cookieSecure,
            BooleanSupplier databaseReady,
            HealthRoutes.RedisHealth redisHealth,
            Duration shutdownGrace,
            Clock clock,
            Safeguards safeguards,
            LatchkeyMetrics metrics,
            boolean demo,
            AccountMail mail) {}

    /**
     * Abuse resistance and the audit trail: the rate limiter and login lockout with their limits,
     * where audit events go, where they are read from, and how to make recorded ones readable,
     * and how many refreshes are worked on at once.
     *
     * @param refreshConcurrency refreshes worked on at once, the rest queued in order (0: no limit)
     */
    public record Safeguards(RateLimiter limiter, FailureLockout lockout, AbuseLimits limits, AuditLog audit,
                             AuditStore auditStore, Runnable auditFlush, int refreshConcurrency) {}

    /** Bytes per write when Javalin copies a response to Jetty: most answers fit in one. */
    static final int RESPONSE_COPY_BUFFER = 2048;

    /** The longest a refresh waits for its turn before it gets 503 with Retry-After. */
    static final Duration REFRESH_MAX_WAIT = Duration.ofSeconds(5);

    private HttpApi() {
    }

    public static Javalin create(Dependencies deps) {
        // Jackson keeps its 8-16 KiB write buffers per thread by default, and with a virtual thread
        // per request every response allocated fresh ones: a pool shared by all threads reuses them.
        ObjectMapper json = new ObjectMapper(JsonFactory.builder().recyclerPool(JsonRecyclerPools.sharedBoundedPool()).build());
        Cookies cookies = new Cookies(deps.cookieSecure());
        RequestContext requests = new RequestContext(new ClientAddress(deps.trustedProxies()));
        Authenticator authenticator = new Authenticator(deps.verifier(), deps.sessions());
        TokenResponses tokens = new TokenResponses(deps.issuer(), cookies);
        OriginCheck origins = new OriginCheck(deps.allowedOrigins());
        Cors cors = new Cors(origins);
        Safeguards safeguards = deps.safeguards();
        Audits audits = new Audits(safeguards.audit(), requests, deps.clock());
        Limits limits = new Limits(safeguards.limiter(), safeguards.lockout(), safeguards.limits(), audits, deps.clock());

        AccountRoutes accountRoutes = new AccountRoutes(deps.accounts(), deps.sessions(), authenticator, tokens, requests,
                limits, audits, json, deps.mail());
        EmailRoutes emailRoutes = new EmailRoutes(deps.mail(), deps.accounts(), authenticator, requests, limits, audits, json);
        FairGate refreshGate = new FairGate(safeguards.refreshConcurrency(), REFRESH_MAX_WAIT);
        if (deps.metrics() != null) { // null when metrics are turned off
            deps.metrics().bindRefreshQueue(refreshGate::waiting);
        }
        SessionRoutes sessionRoutes = new SessionRoutes(deps.sessions(), authenticator, tokens, cookies,
                origins, requests, limits, audits, refreshGate, deps.clock());
        AdminRoutes adminRoutes = new AdminRoutes(deps.administration(), authenticator, audits, json);
        AuditRoutes auditRoutes = new AuditRoutes(safeguards.auditStore(), safeguards.auditFlush(), authenticator, json);
        DiscoveryRoutes discoveryRoutes = new DiscoveryRoutes(deps.keys(), deps.tokenSettings());
        HealthRoutes healthRoutes = new HealthRoutes(deps.databaseReady(), deps.redisHealth());
        RequestTelemetry telemetry = new RequestTelemetry(deps.metrics(), requests);

        return Javalin.create(config -> {
            configureServer(config, json, deps.shutdownGrace());
            config.routes.before(telemetry::begin);
            config.routes.before(ctx -> securityHeaders(ctx, deps.cookieSecure()));
            config.routes.before(cors::apply);
            accountRoutes.register(config.routes);
            emailRoutes.register(config.routes);
            sessionRoutes.register(config.routes);
            adminRoutes.register(config.routes);
            auditRoutes.register(config.routes);
            discoveryRoutes.register(config.routes);
            healthRoutes.register(config.routes);
            telemetry.register(config.routes);
            new WebRoutes(deps.demo()).register(config.routes);
            configureErrors(config);
            config.requestLogger.http(telemetry::end);
        });
    }

    /** Every route the app serves, as {@code "METHOD /path/{param}"}, for the OpenAPI check. */
    public static List<String> routes(Javalin app) {
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .map(e -> e.endpoint)
                .filter(e -> e.method.isHttpMethod())
                .map(e -> e.method.name() + " " + e.path)
                .distinct()
                .sorted()
                .toList();
    }

    private static void configureServer(JavalinConfig config, ObjectMapper json, Duration shutdownGrace) {
        config.jsonMapper(new JavalinJackson(json, false));
        config.concurrency.useVirtualThreads = true;
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.http.prefer405over404 = true;
        config.http.generateEtags = false;
        // The buffer Javalin copies each response through, allocated per response. Unset, it is
        // Jetty's whole output buffer (32 KiB), which made it the largest allocation of a request;
        // Jetty still aggregates the writes, so a response of several buffers keeps its Content-Length.
        config.http.responseBufferSize = RESPONSE_COPY_BUFFER;
        config.jetty.modifyHttpConfiguration(http -> {
            http.setSendServerVersion(false);
            http.setSendXPoweredBy(false);
            http.setSendDateHeader(true);
            // Large enough that an oversized bearer token reaches Latchkey and is refused as
            // TOKEN_INVALID; anything bigger is refused by Jetty with 431.
            http.setRequestHeaderSize(32 * 1024);
            // No per-connection header cache: Jetty keys it by whole "name: value" lines, and a
            // bearer token (about 800 characters) overflowed its 1,024 characters, so the cache was
            // cleared and refilled on every request. Without it: about 10% less CPU per GET /api/me.
            http.setHeaderCacheSize(0);
        });
        config.jetty.modifyServer(server -> {
            server.setErrorHandler(new JettyErrors());
            // Graceful stop: connectors stop accepting, requests in flight get up to the grace to finish.
            server.setHandler(new GracefulHandler());
            server.setStopTimeout(shutdownGrace.toMillis());
        });
    }

    private static void securityHeaders(Context ctx, boolean cookieSecure) {
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
        ctx.header("Cache-Control", "no-store");
        ctx.header("Pragma", "no-cache");
        if (cookieSecure) {
            ctx.header("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
        }
    }

    private static void configureErrors(JavalinConfig config) {
        config.routes.exception(LatchkeyException.class, (e, ctx) -> {
            ctx.attribute(ERROR_WRITTEN, true);
            ErrorResponses.write(ctx, e);
        });
        config.routes.exception(Authenticator.BearerFailure.class, (e, ctx) -> {
            ctx.attribute(ERROR_WRITTEN, true);
            ctx.header("WWW-Authenticate", e.challenge());
            ErrorResponses.write(ctx, e.error);
        });
        config.routes.exception(Exception.class, (e, ctx) -> {
            String incident = UUID.randomUUID().toString();
            ctx.attribute(ERROR_WRITTEN, true);
            if (isStoreUnavailable(e)) {
                log.warn("incident {}: storage unavailable on {} {}: {}", incident, ctx.method(), ctx.path(), e.toString());
                ErrorResponses.write(ctx, ErrorCode.SERVICE_UNAVAILABLE,
                        "The service is temporarily unavailable; try again shortly. (incident " + incident + ")");
                ctx.header("Retry-After", "5");
                return;
            }
            log.error("incident {}: unexpected failure on {} {}", incident, ctx.method(), ctx.path(), e);
            ErrorResponses.write(ctx, ErrorCode.INTERNAL_ERROR, "Something went wrong on our side. (incident " + incident + ")");
        });
        config.routes.error(404, ctx -> {
            if (ctx.attribute(ERROR_WRITTEN) == null) {
                ErrorResponses.write(ctx, ErrorCode.NOT_FOUND, "No such resource.");
            }
        });
        config.routes.error(405, ctx -> {
            if (ctx.attribute(ERROR_WRITTEN) == null) {
                ErrorResponses.write(ctx, ErrorCode.METHOD_NOT_ALLOWED, "This method is not allowed here.");
            }
        });
    }

    private static boolean isStoreUnavailable(Throwable e) {
        return e instanceof StoreUnavailableException;
    }
}
