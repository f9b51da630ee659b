package dev.latchkey.server.logging;

import java.io.Console;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How Latchkey logs: {@code LATCHKEY_LOG_FORMAT} ({@code auto}, {@code json} or {@code text})
 * and {@code LATCHKEY_LOG_LEVEL} ({@code INFO} by default). Logback reads them through
 * {@link FormatDefiner} and {@link LevelDefiner} while it configures itself, before the
 * configuration record exists; the configuration validates the same values and stops the
 * start on a bad one.
 */
public final class LogSettings {
    public static final String FORMAT_VARIABLE = "LATCHKEY_LOG_FORMAT";
    public static final String LEVEL_VARIABLE = "LATCHKEY_LOG_LEVEL";
    public static final Set<String> FORMATS = Set.of("auto", "json", "text");
    public static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    private LogSettings() {
    }

    /** The format as configured, lowercased; null when it is not one of {@link #FORMATS}. */
    public static String format(String configured) {
        String format = configured == null || configured.isBlank() ? "auto" : configured.strip().toLowerCase(Locale.ROOT);
        return FORMATS.contains(format) ? format : null;
    }

    /** The level as configured, uppercased; null when it is not one of {@link #LEVELS}. */
    public static String level(String configured) {
        String level = configured == null || configured.isBlank() ? "INFO" : configured.strip().toUpperCase(Locale.ROOT);
        return LEVELS.contains(level) ? level : null;
    }

    /** {@code json} or {@code text}: {@code auto} means text on a terminal and JSON otherwise. */
    static String effectiveFormat(Map<String, String> environment, boolean terminal) {
        String format = format(environment.get(FORMAT_VARIABLE));
        if (format == null || format.equals("auto")) {
            return terminal ? "text" : "json";
        }
        return format;
    }

    /**
     * True when the process is attached to a terminal. From JDK 22 {@link System#console()}
     * answers even when the streams are redirected, so {@code Console.isTerminal()} is asked
     * where it exists.
     */
    static boolean onTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
