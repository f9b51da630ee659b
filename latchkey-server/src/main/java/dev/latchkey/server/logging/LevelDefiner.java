package dev.latchkey.server.logging;

import ch.qos.logback.core.PropertyDefinerBase;

/** For logback.xml's {@code <define>}: the root level from {@code LATCHKEY_LOG_LEVEL}, {@code INFO} when unset or bad. */
public final class LevelDefiner extends PropertyDefinerBase {
    @Override
    public String getPropertyValue() {
        String level = LogSettings.level(System.getenv(LogSettings.LEVEL_VARIABLE));
        return level == null ? "INFO" : level;
    }
}
