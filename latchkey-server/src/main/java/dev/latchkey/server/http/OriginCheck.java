package dev.latchkey.server.http;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The first check on the cookie routes: a request that says it comes from a page of another
 * origin is refused before anything else is looked at. A present {@code Origin} must be one of
 * the allowed origins (the literal {@code null}, sent by sandboxed and privacy-sensitive
 * contexts, never is); {@code Sec-Fetch-Site: cross-site} is refused too, for browsers that
 * omit {@code Origin}.
 */
final class OriginCheck {
    private final Set<String> allowed;

    OriginCheck(List<String> allowedOrigins) {
        this.allowed = Set.copyOf(allowedOrigins);
    }

    boolean refuses(String origin, String fetchSite) {
        if (fetchSite != null && fetchSite.trim().equalsIgnoreCase("cross-site")) {
            return true;
        }
        if (origin == null) {
            return false;
        }
        return !allowed.contains(normalize(origin));
    }

    boolean allows(String origin) {
        return origin != null && allowed.contains(normalize(origin));
    }

    private static String normalize(String origin) {
        String value = origin.trim().toLowerCase(Locale.ROOT);
        if (value.endsWith(":80") && value.startsWith("http://")) {
            return value.substring(0, value.length() - 3);
        }
        if (value.endsWith(":443") && value.startsWith("https://")) {
            return value.substring(0, value.length() - 4);
        }
        return value;
    }
}
