package dev.latchkey.server;

import dev.latchkey.core.errors.LatchkeyException;
import dev.latchkey.server.cli.CliFailure;
import dev.latchkey.server.cli.Terminal;
import dev.latchkey.server.cli.UsersCommand;
import dev.latchkey.server.config.ConfigException;
import dev.latchkey.server.config.LatchkeyConfig;
import dev.latchkey.store.Database;
import dev.latchkey.store.DatabaseSettings;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import sun.misc.Signal;

/** Latchkey's command line. Every failure ends in one clear line and a non-zero exit. */
@Command(name = "latchkey", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Latchkey: a JWT authentication server with short-lived access tokens and rotating refresh tokens.",
        subcommands = {Main.Serve.class, Main.Migrate.class, UsersCommand.class, KeysCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable, UsersCommand.Host {
    static final int FAILURE = 1;
    static final int CONFIG_ERROR = 2;
    static final int STARTUP_ERROR = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Terminal terminal;
    private LatchkeyConfig config;

    Main(Terminal terminal) {
        this.terminal = terminal;
    }

    public static void main(String[] args) {
        System.exit(run(Terminal.system(), args));
    }

    static int run(String... args) {
        return run(Terminal.system(), args);
    }

    /** Runs the command line in-process against the given environment and streams; returns the exit code. */
    public static int run(Map<String, String> env, InputStream in, PrintStream out, PrintStream err, String... args) {
        return run(new Terminal(env, in, out, err), args);
    }

    static int run(Terminal terminal, String... args) {
        CommandLine cli = new CommandLine(new Main(terminal));
        cli.setOut(new PrintWriter(terminal.out(), true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(terminal.err(), true, StandardCharsets.UTF_8));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            switch (e) {
                case ConfigException c -> {
                    terminal.err().println("latchkey: configuration error: " + c.getMessage());
                    return CONFIG_ERROR;
                }
                case KeysCommand.KeysCommandException k -> {
                    terminal.err().println("latchkey: " + k.getMessage());
                    return FAILURE;
                }
                case CliFailure f -> {
                    terminal.err().println("latchkey: " + f.getMessage());
                    return FAILURE;
                }
                case LatchkeyException l -> {
                    terminal.err().println("latchkey: " + UsersCommand.message(l));
                    return FAILURE;
                }
                default -> {
                    terminal.err().println("latchkey: " + oneLine(e));
                    return STARTUP_ERROR;
                }
            }
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(terminal.out());
    }

    @Override
    public Terminal terminal() {
        return terminal;
    }

    /** The configuration from this run's environment, read once; unknown variables are reported. */
    @Override
    public LatchkeyConfig config() {
        if (config == null) {
            config = LatchkeyConfig.from(terminal.env());
            Logger log = LoggerFactory.getLogger(Main.class);
            config.unknownVariables().forEach(name -> log.warn("unknown configuration variable {} is ignored", name));
        }
        return config;
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

    @Command(name = "serve", mixinStandardHelpOptions = true, description = "Start the HTTP server.")
    static final class Serve implements Callable<Integer> {
        @ParentCommand
        Main main;

        @CommandLine.Option(names = "--check", description = "Check the configuration, the database (reachable, "
                + "migrations current or applicable) and the signing key, print a summary and exit without serving.")
        boolean check;

        @Override
        public Integer call() throws InterruptedException {
            LatchkeyConfig config = main.config();
            warnAboutDevelopmentDefaults(config);
            if (check) {
                StartupCheck.run(config, Clock.systemUTC()).forEach(line -> main.terminal().out().println("latchkey: " + line));
                main.terminal().out().println("latchkey: ready to serve");
                return 0;
            }
            LatchkeyServer server = LatchkeyServer.start(config, Clock.systemUTC());
            // SIGTERM and SIGINT stop gracefully (requests in flight finish within
            // LATCHKEY_SHUTDOWN_GRACE) and exit 0: a stop that was asked for is not a failure.
            CountDownLatch stopRequested = new CountDownLatch(1);
            for (String signal : List.of("TERM", "INT")) {
                Signal.handle(new Signal(signal), received -> stopRequested.countDown());
            }
            // Any other way out (System.exit, SIGHUP) still closes the server.
            AtomicBoolean closed = new AtomicBoolean();
            Runnable close = () -> {
                if (closed.compareAndSet(false, true)) {
                    server.close();
                }
            };
            Thread hook = new Thread(close, "latchkey-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            stopRequested.await();
            LoggerFactory.getLogger(Serve.class).info("stopping: finishing requests in flight (at most {})",
                    config.operations().shutdownGrace());
            close.run();
            LoggerFactory.getLogger(Serve.class).info("stopped");
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
        if (config.signingKey().generated() && config.embeddedDatabase()) {
            log.warn("development default: signing key generated and kept in {}; in production use PostgreSQL, where keys are"
                    + " managed in the database (seal them with LATCHKEY_KEY_ENCRYPTION_KEY), or set LATCHKEY_SIGNING_KEY_FILE",
                    config.dataDirectory().toAbsolutePath());
        }
        if (!config.cookieSecure()) {
            log.warn("development default: cookies sent without Secure (LATCHKEY_COOKIE_SECURE=false); for plain-HTTP development only");
        }
    }


    @Command(name = "migrate", mixinStandardHelpOptions = true,
            description = "Apply database migrations to the configured database and exit.")
    static final class Migrate implements Callable<Integer> {
        @ParentCommand
        Main main;

        @Override
        public Integer call() {
            LatchkeyConfig config = main.config();
            try (Database database = Database.open(new DatabaseSettings(config.databaseUrl(), config.dataDirectory(),
                    2, false))) {
                database.migrate();
            }
            main.terminal().out().println("latchkey: database is up to date");
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
