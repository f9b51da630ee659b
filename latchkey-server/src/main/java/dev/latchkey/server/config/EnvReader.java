package dev.latchkey.server.config;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads typed values out of the environment, turning every bad value into a
 * {@link ConfigException} that names the variable. Remembers which variables it was asked
 * about so unknown {@code LATCHKEY_*} variables (typos, mostly) can be reported.
 */
final class EnvReader {
    private final Map<String, String> env;
    private final Set<String> known = new LinkedHashSet<>();

    EnvReader(Map<String, String> env) {
        this.env = env;
    }

    /** The raw value, or null when unset or blank. */
    String raw(String name) {
        known.add(name);
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** The value exactly as set (a password keeps its spaces), or null when unset or blank. */
    String verbatim(String name) {
        known.add(name);
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value;
    }

    /** Marks a variable as Latchkey's although the server does not read it (the launcher does). */
    void acknowledge(String name) {
        known.add(name);
    }

    String string(String name, String fallback) {
        String value = raw(name);
        return value == null ? fallback : value;
    }

    int integer(String name, int fallback, int min, int max) {
        return parsed(name, fallback, text -> {
            int n;
            try {
                n = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not a whole number");
            }
            if (n < min || n > max) {
                throw new IllegalArgumentException(n + " is out of range (" + min + " to " + max + ")");
            }
            return n;
        });
    }

    Duration duration(String name, Duration fallback, Duration min, Duration max) {
        return parsed(name, fallback, text -> {
            Duration d = Durations.parse(text);
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new IllegalArgumentException("'" + text + "' is out of range (" + min + " to " + max + ")");
            }
            return d;
        });
    }

    boolean bool(String name, boolean fallback) {
        return parsed(name, fallback, text -> switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new IllegalArgumentException("'" + text + "' is not a boolean (use true or false)");
        });
    }

    /** An absolute http(s) URL without query or fragment. */
    String httpUrl(String name, String fallback) {
        return parsed(name, fallback, text -> {
            URI uri;
            try {
                uri = new URI(text);
            } catch (Exception e) {
                throw new IllegalArgumentException("'" + text + "' is not a URL");
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                    || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new IllegalArgumentException("'" + text + "' must be an absolute http or https URL without query or fragment");
            }
            return text;
        });
    }

    <T> T parsed(String name, T fallback, Function<String, T> parser) {
        String value = raw(name);
        if (value == null) {
            return fallback;
        }
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name, e.getMessage());
        }
    }

    /** Every variable asked about so far, in the order first asked. */
    Set<String> known() {
        return java.util.Collections.unmodifiableSet(known);
    }

    /** {@code LATCHKEY_*} variables that are set but that nothing asked about. */
    Set<String> unknownLatchkeyVariables() {
        Set<String> unknown = new java.util.TreeSet<>();
        for (String name : env.keySet()) {
            if (name.startsWith("LATCHKEY_") && !known.contains(name)) {
                unknown.add(name);
            }
        }
        return unknown;
    }
}
