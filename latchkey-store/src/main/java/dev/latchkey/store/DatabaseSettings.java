package dev.latchkey.store;

import java.nio.file.Path;

/**
 * Where the database is and how to reach it.
 *
 * @param url              {@code postgres://}, {@code postgresql://}, {@code jdbc:postgresql://} or
 *                         {@code jdbc:sqlite:} URL; null means the embedded SQLite file in {@code dataDirectory}
 * @param dataDirectory    where the embedded database lives (used only when {@code url} is null)
 * @param maxPoolSize      upper bound of pooled connections
 * @param migrateOnOpen    run migrations in {@link Database#open}; false for deployments that run
 *                         {@code latchkey migrate} as a separate step
 */
public record DatabaseSettings(String url, Path dataDirectory, int maxPoolSize, boolean migrateOnOpen) {

    public DatabaseSettings {
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("the connection pool size must be at least 1, not " + maxPoolSize);
        }
        if ((url == null || url.isBlank()) && dataDirectory == null) {
            throw new IllegalArgumentException("without a database URL a data directory is needed for the embedded database");
        }
        url = url == null || url.isBlank() ? null : url.strip();
    }

    /** Settings that migrate at open. */
    public DatabaseSettings(String url, Path dataDirectory, int maxPoolSize) {
        this(url, dataDirectory, maxPoolSize, true);
    }

    /** The embedded SQLite database in {@code dataDirectory}. */
    public static DatabaseSettings embedded(Path dataDirectory) {
        return new DatabaseSettings(null, dataDirectory, 4);
    }
}
