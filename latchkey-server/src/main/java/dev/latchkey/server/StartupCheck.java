package dev.latchkey.server;

import dev.latchkey.core.tokens.SigningKey;
import dev.latchkey.server.config.LatchkeyConfig;
import dev.latchkey.server.keys.SigningKeySource;
import dev.latchkey.store.Database;
import dev.latchkey.store.DatabaseSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code latchkey serve --check}: everything a start would need, checked without serving and
 * without changing anything: the configuration (already read), the database (reachable, and its
 * schema current or migratable by this build), and the signing key (loadable). A failure throws
 * with a one-line message, like a failing start.
 */
final class StartupCheck {
    private StartupCheck() {
    }

    /** The summary lines of a successful check. */
    static List<String> run(LatchkeyConfig config, Clock clock) {
        List<String> summary = new ArrayList<>();
        summary.add("configuration: ok (port " + config.port() + ", issuer " + config.tokens().issuer() + ")");
        summary.add("database: " + database(config));
        summary.add("signing key: " + signingKey(config, clock));
        return summary;
    }

    private static String database(LatchkeyConfig config) {
        if (config.embeddedDatabase() && !Files.exists(config.dataDirectory().resolve(Database.SQLITE_FILE))) {
            return "embedded SQLite in " + config.dataDirectory().toAbsolutePath() + ", created and migrated at first start";
        }
        try (Database database = Database.open(new DatabaseSettings(config.databaseUrl(), config.dataDirectory(), 1, false))) {
            Database.MigrationStatus status = database.migrationStatus();
            String schema = status.currentVersion() == null ? "empty" : "schema version " + status.currentVersion();
            String migrations = status.pending() == 0 ? "migrations current"
                    : status.pending() + " migration(s) to apply at start (or with latchkey migrate)";
            return database.location() + " reachable, " + schema + ", " + migrations;
        }
    }

    private static String signingKey(LatchkeyConfig config, Clock clock) {
        LatchkeyConfig.SigningKeySettings keys = config.signingKey();
        if (keys.generated()) {
            Path devKey = config.dataDirectory().resolve(SigningKeySource.DEV_KEY_FILE);
            if (!Files.exists(devKey)) {
                return "development key, generated into " + devKey.toAbsolutePath() + " at first start";
            }
        }
        SigningKey key = keys.generated()
                ? SigningKeySource.loadOrGenerateDevKey(config.dataDirectory(), clock)
                : SigningKeySource.configured(keys, clock.instant());
        String source = keys.pemFile() != null ? "LATCHKEY_SIGNING_KEY_FILE " + keys.pemFile()
                : keys.pem() != null ? "LATCHKEY_SIGNING_KEY" : "development key " + config.dataDirectory().resolve(SigningKeySource.DEV_KEY_FILE).toAbsolutePath();
        return "loaded from " + source + " (kid " + key.kid() + ", " + key.algorithm() + ")";
    }
}
