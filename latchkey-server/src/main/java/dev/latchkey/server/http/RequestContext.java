package dev.latchkey.server.http;

import io.javalin.http.Context;

/** Facts about the caller taken from the request: client IP (proxy-aware) and user agent. */
final class RequestContext {
    private final ClientAddress addresses;

    RequestContext(ClientAddress addresses) {
        this.addresses = addresses;
    }

    String clientIp(Context ctx) {
        return addresses.resolve(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-For"));
    }

    String userAgent(Context ctx) {
        return ctx.header("User-Agent");
    }
}
