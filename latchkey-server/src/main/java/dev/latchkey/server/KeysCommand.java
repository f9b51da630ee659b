package dev.latchkey.server;

import com.nimbusds.jose.JWSAlgorithm;
import dev.latchkey.core.audit.AuditEventType;
import dev.latchkey.core.tokens.SigningKeyStore.StoredKey;
import dev.latchkey.server.audit.CommandLineAudit;
import dev.latchkey.server.cli.UsersCommand;
import dev.latchkey.server.config.LatchkeyConfig;
import dev.latchkey.server.keys.KeyManager;
import dev.latchkey.store.Database;
import dev.latchkey.store.DatabaseSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code latchkey keys list|generate|rotate}: the signing keys in the configured database,
 * shared with every running instance on it (they pick changes up within the reload interval).
 */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "List, pre-publish and rotate the signing keys kept in the database.",
        subcommands = {KeysCommand.ListKeys.class, KeysCommand.Generate.class, KeysCommand.Rotate.class})
final class KeysCommand implements Runnable {

    @CommandLine.ParentCommand
    UsersCommand.Host host;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    java.io.PrintStream out() {
        return host.terminal().out();
    }

    /** A refusal or failure of a keys command: printed as one line, exit code 1. */
    static final class KeysCommandException extends RuntimeException {
        KeysCommandException(String message) {
            super(message);
        }
    }

    <T> T withKeys(Function<KeyManager, T> work) {
        return withDatabase((database, keys) -> work.apply(keys));
    }

    private <T> T withDatabase(BiFunction<Database, KeyManager, T> work) {
        LatchkeyConfig config = host.config();
        try (Database database = Database.open(new DatabaseSettings(config.databaseUrl(), config.dataDirectory(), 2))) {
            return work.apply(database, KeyManager.forConfig(database.signingKeys(), config, Clock.systemUTC()));
        }
    }

    /** The options of the commands that change the keys (generate, rotate). */
    static final class ChangeOptions {
        @Option(names = "--alg", defaultValue = "RS256",
                description = "algorithm of a generated key: RS256 (default) or ES256")
        String alg;

        @Option(names = "--force", description = "even when the active key was imported from configuration")
        boolean force;
    }

    /**
     * Opens the keys and applies {@code change} with the chosen algorithm, once
     * {@link #requireLatchkeyManaged} allows it ({@code what} names the command in a refusal),
     * then records it in the audit trail as {@code type} with the {@code details} of its result.
     */
    <T> T change(ChangeOptions options, String what, AuditEventType type,
                 BiFunction<KeyManager, JWSAlgorithm, T> change, Function<T, Map<String, String>> details) {
        JWSAlgorithm algorithm = algorithm(options.alg);
        return withDatabase((database, keys) -> {
            requireLatchkeyManaged(keys, options.force, what);
            T result = change.apply(keys, algorithm);
            new CommandLineAudit(database.audit(), Clock.systemUTC(), host.terminal().err())
                    .record(type, null, details.apply(result));
            return result;
        });
    }

    /** Refuses to change keys when the active one is operator-managed (imported from configuration). */
    private void requireLatchkeyManaged(KeyManager keys, boolean force, String what) {
        LatchkeyConfig.SigningKeySettings settings = host.config().signingKey();
        if (!settings.generated()) {
            throw new KeysCommandException("the signing key is configured by "
                    + (settings.pemFile() != null ? "LATCHKEY_SIGNING_KEY_FILE" : "LATCHKEY_SIGNING_KEY")
                    + ": rotate it by configuring the new key and restarting; 'keys " + what
                    + "' only manages keys Latchkey generates");
        }
        StoredKey active = keys.active().orElse(null);
        if (active != null && StoredKey.CONFIGURED.equals(active.source()) && !force) {
            throw new KeysCommandException("the active signing key " + active.kid() + " was imported from"
                    + " LATCHKEY_SIGNING_KEY_FILE or LATCHKEY_SIGNING_KEY: rotate it by configuring the new key and"
                    + " restarting, or remove that setting from every instance and use --force");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the signing keys: kid, algorithm, created, activated, retired and state"
                    + " (active, published = pre-published, retired-published, expired).")
    static final class ListKeys implements Callable<Integer> {
        @CommandLine.ParentCommand
        KeysCommand command;

        @Override
        public Integer call() {
            List<KeyManager.KeyInfo> keys = command.withKeys(KeyManager::list);
            if (keys.isEmpty()) {
                command.out().println("no signing keys yet (the server registers one when it starts)");
                return 0;
            }
            String format = "%-44s %-6s %-20s %-20s %-20s %-10s %s%n";
            command.out().printf(format, "KID", "ALG", "CREATED", "ACTIVATED", "RETIRED", "SOURCE", "STATE");
            for (KeyManager.KeyInfo info : keys) {
                StoredKey key = info.key();
                command.out().printf(format, key.kid(), key.algorithm(), time(key.createdAt()), time(key.activatedAt()),
                        time(key.retiredAt()), key.source(), info.state().label);
            }
            return 0;
        }

        private static String time(Instant instant) {
            return instant == null ? "-" : instant.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        }
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Generate a key and publish it in the JWKS without signing with it yet (pre-publication);"
                    + " 'keys rotate' activates it later.")
    static final class Generate implements Callable<Integer> {
        @CommandLine.ParentCommand
        KeysCommand command;

        @CommandLine.Mixin
        ChangeOptions options;

        @Override
        public Integer call() {
            StoredKey key = command.change(options, "generate", AuditEventType.KEY_GENERATE, KeyManager::generate,
                    KeysCommand::auditDetails);
            command.out().println("generated " + key.kid() + " (" + key.algorithm()
                    + "): published, not signing yet; 'latchkey keys rotate' activates it");
            return 0;
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Activate the newest pre-published key now (generating one when there is none). The"
                    + " previous key is retired now and stays published until its tokens have expired"
                    + " (access-token lifetime + clock leeway + reload interval).")
    static final class Rotate implements Callable<Integer> {
        @CommandLine.ParentCommand
        KeysCommand command;

        @CommandLine.Mixin
        ChangeOptions options;

        @Override
        public Integer call() {
            Rotation rotation = command.change(options, "rotate", AuditEventType.KEY_ROTATE, (keys, algorithm) -> {
                String previous = keys.active().map(StoredKey::kid).orElse(null);
                return new Rotation(previous, keys.rotate(algorithm), keys.retention());
            }, Rotation::auditDetails);
            StoredKey activated = rotation.activated();
            command.out().println("rotated: " + activated.kid() + " (" + activated.algorithm() + ") signs now"
                    + (rotation.previous() == null ? ""
                    : "; " + rotation.previous() + " stays published for " + rotation.retention()));
            return 0;
        }

        private record Rotation(String previous, StoredKey activated, Duration retention) {
            Map<String, String> auditDetails() {
                Map<String, String> details = KeysCommand.auditDetails(activated);
                if (previous != null) {
                    details.put("previous", previous);
                }
                return details;
            }
        }
    }

    /** The key an audit event is about: its kid, then its algorithm. */
    private static Map<String, String> auditDetails(StoredKey key) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("kid", key.kid());
        details.put("alg", key.algorithm());
        return details;
    }

    private static JWSAlgorithm algorithm(String name) {
        try {
            return KeyManager.algorithm(name);
        } catch (IllegalArgumentException e) {
            throw new KeysCommandException(e.getMessage());
        }
    }
}
