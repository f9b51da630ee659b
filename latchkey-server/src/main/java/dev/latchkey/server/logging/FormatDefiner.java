package dev.latchkey.server.logging;

import ch.qos.logback.core.PropertyDefinerBase;
import java.util.Locale;

/**
 * For logback.xml's {@code <define>}: the name of the appender to use, {@code JSON} or
 * {@code TEXT}, from {@code LATCHKEY_LOG_FORMAT} and whether a terminal is attached.
 */
public final class FormatDefiner extends PropertyDefinerBase {
    @Override
    public String getPropertyValue() {
        return LogSettings.effectiveFormat(System.getenv(), LogSettings.onTerminal()).toUpperCase(Locale.ROOT);
    }
}
