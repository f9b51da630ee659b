package dev.latchkey.server.http;

import io.javalin.http.Context;
import java.time.Duration;

/**
 * The two session cookies, written by hand so every attribute is exactly what the contract says.
 * The refresh cookie is HttpOnly and only ever sent to {@code /auth}; the CSRF cookie is readable
 * by the page's JavaScript, which echoes it in {@code X-CSRF-Token}.
 */
final class Cookies {
    static final String REFRESH = "refresh_token";
    static final String CSRF = "csrf_token";

    private final boolean secure;

    Cookies(boolean secure) {
        this.secure = secure;
    }

    void set(Context ctx, String refreshToken, String csrfToken, Duration maxAge) {
        long seconds = Math.max(0, maxAge.toSeconds());
        ctx.res().addHeader("Set-Cookie", REFRESH + "=" + refreshToken + "; Max-Age=" + seconds + "; Path=/auth; HttpOnly"
                + (secure ? "; Secure" : "") + "; SameSite=Strict");
        ctx.res().addHeader("Set-Cookie", CSRF + "=" + csrfToken + "; Max-Age=" + seconds + "; Path=/"
                + (secure ? "; Secure" : "") + "; SameSite=Strict");
    }

    void clear(Context ctx) {
        ctx.res().addHeader("Set-Cookie", REFRESH + "=; Max-Age=0; Path=/auth; HttpOnly"
                + (secure ? "; Secure" : "") + "; SameSite=Strict");
        ctx.res().addHeader("Set-Cookie", CSRF + "=; Max-Age=0; Path=/" + (secure ? "; Secure" : "") + "; SameSite=Strict");
    }
}
