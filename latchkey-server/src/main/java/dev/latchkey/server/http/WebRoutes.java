package dev.latchkey.server.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * What Latchkey serves besides its API: the OpenAPI description and the browser client always,
 * the demo page only when {@code LATCHKEY_DEMO} is on (else {@code /} is a 404).
 *
 * <p>Every response keeps the API's security headers; the browser client and the demo page
 * only relax the Content-Security-Policy to their own origin, so the page may load its script
 * and style and call the API, and nothing else (no inline script, no framing, no foreign form
 * targets).
 */
final class WebRoutes {
    static final String PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    private static final String RESOURCES = "/dev/latchkey/server/web/";

    private final boolean demo;

    WebRoutes(boolean demo) {
        this.demo = demo;
    }

    void register(RoutesConfig routes) {
        routes.get("/openapi.json", asset("openapi.json", "application/json", false));
        routes.get("/latchkey.js", asset("latchkey.js", "text/javascript; charset=utf-8", true));
        if (demo) {
            routes.get("/", asset("index.html", "text/html; charset=utf-8", true));
            routes.get("/demo.js", asset("demo.js", "text/javascript; charset=utf-8", true));
            routes.get("/demo.css", asset("demo.css", "text/css; charset=utf-8", true));
        }
    }

    private static Handler asset(String name, String contentType, boolean page) {
        byte[] bytes = read(name);
        return (Context ctx) -> {
            if (page) {
                ctx.header("Content-Security-Policy", PAGE_POLICY);
            }
            ctx.contentType(contentType).result(bytes);
        };
    }

    private static byte[] read(String name) {
        try (InputStream in = WebRoutes.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCES + name + " (build with Maven, which copies"
                        + " clients/js/latchkey.js into the server's resources)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
