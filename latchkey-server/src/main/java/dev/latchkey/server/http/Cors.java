package dev.latchkey.server.http;

import io.javalin.http.Context;

/**
 * CORS for the allowed origins, with credentials: an allowed {@code Origin} is echoed in
 * {@code Access-Control-Allow-Origin} (never {@code *}, which browsers refuse with credentials
 * anyway) with {@code Access-Control-Allow-Credentials: true}; any other origin gets no CORS
 * header at all, so the browser keeps the answer from the page. Every answer varies by
 * {@code Origin}. Preflights ({@code OPTIONS} with {@code Access-Control-Request-Method}) are
 * answered {@code 204} with the methods and headers Latchkey accepts, cached for
 * {@link #MAX_AGE_SECONDS}.
 *
 * <p>This only tells browsers which pages may read answers; it protects nothing by itself. The
 * cookie routes still refuse a foreign {@code Origin} with {@code 403 CSRF_FAILED} (see
 * {@link OriginCheck}), whatever CORS says.
 */
final class Cors {
    static final int MAX_AGE_SECONDS = 600;
    static final String ALLOWED_METHODS = "GET, POST, PUT, DELETE";
    static final String ALLOWED_HEADERS = "Authorization, Content-Type, X-CSRF-Token";
    static final String EXPOSED_HEADERS = "Retry-After, WWW-Authenticate";

    private final OriginCheck origins;

    Cors(OriginCheck origins) {
        this.origins = origins;
    }

    /** Before every route; a preflight is answered here (204, no body) and goes no further. */
    void apply(Context ctx) {
        ctx.header("Vary", "Origin");
        String origin = ctx.header("Origin");
        boolean preflight = isPreflight(ctx);
        if (origins.allows(origin)) {
            ctx.header("Access-Control-Allow-Origin", origin.trim());
            ctx.header("Access-Control-Allow-Credentials", "true");
            if (preflight) {
                ctx.header("Access-Control-Allow-Methods", ALLOWED_METHODS);
                ctx.header("Access-Control-Allow-Headers", ALLOWED_HEADERS);
                ctx.header("Access-Control-Max-Age", Integer.toString(MAX_AGE_SECONDS));
            } else {
                ctx.header("Access-Control-Expose-Headers", EXPOSED_HEADERS);
            }
        }
        if (preflight) {
            ctx.status(204);
            ctx.skipRemainingHandlers();
        }
    }

    private static boolean isPreflight(Context ctx) {
        return "OPTIONS".equals(ctx.method().name()) && ctx.header("Access-Control-Request-Method") != null;
    }
}
