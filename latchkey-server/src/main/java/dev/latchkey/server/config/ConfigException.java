package dev.latchkey.server.config;

/** A configuration value that cannot be used; the message names the variable and what is wrong, in one line. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String variable, String problem) {
        super(variable + ": " + problem, null, false, false);
    }
}
