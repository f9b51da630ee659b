package dev.latchkey.server;

import dev.latchkey.server.config.ConfigException;
import dev.latchkey.server.config.LatchkeyConfig;
import dev.latchkey.store.Database;
import dev.latchkey.store.DatabaseSettings;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Latchkey's command line. Every failure ends in one clear line and a non-zero exit. */
@Command(name = "latchkey", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Latchkey: a JWT authentication server with short-lived access tokens and rotating refresh tokens.",
        subcommands = {Main.Serve.class, Main.Migrate.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    static final int CONFIG_ERROR = 2;
    static final int STARTUP_ERROR = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException) {
                System.err.println("latchkey: configuration error: " + e.getMessage());
                return CONFIG_ERROR;
            }
            System.err.println("latchkey: " + oneLine(e));
            return STARTUP_ERROR;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The first useful message of an exception chain, on one line. */
    static String oneLine(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t.getMessage().isBlank())) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return message.replaceAll("\\s+", " ").trim();
    }

    static LatchkeyConfig config() {
        LatchkeyConfig config = LatchkeyConfig.fromEnvironment();
        Logger log = LoggerFactory.getLogger(Main.class);
        config.unknownVariables().forEach(name -> log.warn("unknown configuration variable {} is ignored", name));
        return config;
    }

    @Command(name = "serve", mixinStandardHelpOptions = true, description = "Start the HTTP server.")
    static final class Serve implements Callable<Integer> {
        @CommandLine.Option(names = "--check", description = "Check the configuration, the database (reachable, "
                + "migrations current or applicable) and the signing key, print a summary and exit without serving.")
        boolean check;

        @Override
        public Integer call() throws InterruptedException {
            LatchkeyConfig config = config();
            warnAboutDevelopmentDefaults(config);
            if (check) {
                StartupCheck.run(config, Clock.systemUTC()).forEach(line -> System.out.println("latchkey: " + line));
                System.out.println("latchkey: ready to serve");
                return 0;
            }
            LatchkeyServer server = LatchkeyServer.start(config, Clock.systemUTC());
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "latchkey-shutdown"));
            stopped.await();
            return 0;
        }
    }

    /** One WARN line for each development default in use. */
    static void warnAboutDevelopmentDefaults(LatchkeyConfig config) {
        Logger log = LoggerFactory.getLogger(Serve.class);
        if (config.embeddedDatabase()) {
            log.warn("development default: embedded SQLite database in {}; set LATCHKEY_DATABASE_URL to PostgreSQL in production",
                    config.dataDirectory().toAbsolutePath());
        }
        if (config.signingKey().generated()) {
            log.warn("development default: signing key generated and kept in {}; set LATCHKEY_SIGNING_KEY_FILE in production",
                    config.dataDirectory().toAbsolutePath());
        }
        if (!config.cookieSecure()) {
            log.warn("development default: cookies sent without Secure (LATCHKEY_COOKIE_SECURE=false); for plain-HTTP development only");
        }
    }

    @Command(name = "migrate", mixinStandardHelpOptions = true,
            description = "Apply database migrations to the configured database and exit.")
    static final class Migrate implements Callable<Integer> {
        @Override
        public Integer call() {
            LatchkeyConfig config = config();
            try (Database database = Database.open(new DatabaseSettings(config.databaseUrl(), config.dataDirectory(),
                    2, false))) {
                database.migrate();
            }
            System.out.println("latchkey: database is up to date");
            return 0;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"latchkey " + (version == null ? "development" : version)};
        }
    }
}
