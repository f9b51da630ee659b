package dev.latchkey.server;

import dev.latchkey.core.tokens.SigningKeyStore.StoredKey;
import dev.latchkey.server.cli.UsersCommand;
import dev.latchkey.server.config.LatchkeyConfig;
import dev.latchkey.server.keys.KeyManager;
import dev.latchkey.store.Database;
import dev.latchkey.store.DatabaseSettings;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
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
        LatchkeyConfig config = host.config();
        try (Database database = Database.open(new DatabaseSettings(config.databaseUrl(), config.dataDirectory(), 2))) {
            return work.apply(KeyManager.forConfig(database.signingKeys(), config, Clock.systemUTC()));
        }
    }

    /** Refuses to change keys when the active one is operator-managed (imported from configuration). */
    void requireLatchkeyManaged(KeyManager keys, boolean force, String what) {
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

        @Option(names = "--alg", defaultValue = "RS256", description = "RS256 (default) or ES256")
        String alg;

        @Option(names = "--force", description = "even when the active key was imported from configuration")
        boolean force;

        @Override
        public Integer call() {
            StoredKey key = command.withKeys(keys -> {
                command.requireLatchkeyManaged(keys, force, "generate");
                return keys.generate(algorithm(alg));
            });
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

        @Option(names = "--alg", defaultValue = "RS256", description = "for a generated key: RS256 (default) or ES256")
        String alg;

        @Option(names = "--force", description = "even when the active key was imported from configuration")
        boolean force;

        @Override
        public Integer call() {
            String[] result = command.withKeys(keys -> {
                command.requireLatchkeyManaged(keys, force, "rotate");
                String previous = keys.active().map(StoredKey::kid).orElse(null);
                StoredKey activated = keys.rotate(algorithm(alg));
                return new String[] {previous, activated.kid(), activated.algorithm(), keys.retention().toString()};
            });
            command.out().println("rotated: " + result[1] + " (" + result[2] + ") signs now"
                    + (result[0] == null ? "" : "; " + result[0] + " stays published for " + result[3]));
            return 0;
        }
    }

    private static com.nimbusds.jose.JWSAlgorithm algorithm(String name) {
        try {
            return KeyManager.algorithm(name);
        } catch (IllegalArgumentException e) {
            throw new KeysCommandException(e.getMessage());
        }
    }
}
