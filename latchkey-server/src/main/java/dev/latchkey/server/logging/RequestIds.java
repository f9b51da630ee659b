package dev.latchkey.server.logging;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Request ids: an incoming {@code X-Request-Id} is kept only when it is a sane token (at most 64
 * characters of {@code [A-Za-z0-9._-]}), so that nothing a client sends can break a log line or
 * smuggle data into it; otherwise a random one is made.
 */
public final class RequestIds {
    public static final String HEADER = "X-Request-Id";
    /** The MDC key (and JSON log field) of the current request's id. */
    public static final String MDC_KEY = "request_id";

    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private RequestIds() {
    }

    public static boolean isSane(String candidate) {
        return candidate != null && SANE.matcher(candidate).matches();
    }

    /** The incoming id when sane, else a new one. */
    public static String acceptOrGenerate(String incoming) {
        return isSane(incoming) ? incoming : generate();
    }

    public static String generate() {
        return UUID.randomUUID().toString();
    }
}
