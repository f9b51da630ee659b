package dev.latchkey.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latchkey.core.accounts.AccountService;
import dev.latchkey.core.accounts.Roles;
import dev.latchkey.core.accounts.User;
import dev.latchkey.core.accounts.UserQuery;
import dev.latchkey.core.administration.UserAdministration;
import dev.latchkey.core.administration.UserCursor;
import dev.latchkey.core.audit.AuditEventType;
import dev.latchkey.core.errors.ErrorCode;
import dev.latchkey.core.errors.LatchkeyException;
import dev.latchkey.core.sessions.RevocationList;
import dev.latchkey.core.passwords.BreachCheck;
import dev.latchkey.core.passwords.HashingPool;
import dev.latchkey.server.LatchkeyServer;
import dev.latchkey.server.audit.CommandLineAudit;
import dev.latchkey.server.passwords.PwnedPasswords;
import dev.latchkey.server.config.LatchkeyConfig;
import dev.latchkey.store.Database;
import dev.latchkey.store.DatabaseSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code latchkey users ...}: account administration on the configured database (the same
 * environment as {@code serve}), whether or not a server is running on it. Revocations made
 * here (logout, role change, disable, delete) reach a running server at its next revocation
 * sync ({@code LATCHKEY_REVOCATION_SYNC_INTERVAL}, 5 s by default).
 *
 * <p>This class wires what the commands need by hand, from the same configuration and with the
 * same building blocks as {@link LatchkeyServer}.
 */
@Command(name = "users", mixinStandardHelpOptions = true,
        description = "Manage accounts on the configured database (works while a server runs on it).",
        subcommands = {UsersCommand.Create.class, UsersCommand.ListUsers.class, UsersCommand.SetRole.class,
                UsersCommand.Disable.class, UsersCommand.Enable.class, UsersCommand.Logout.class,
                UsersCommand.Delete.class, UsersCommand.Import.class})
public final class UsersCommand implements Runnable {
    public static final String NEW_USER_PASSWORD = "LATCHKEY_NEW_USER_PASSWORD";

    /** What the parent command gives: the terminal and the configuration read from its environment. */
    public interface Host {
        Terminal terminal();

        LatchkeyConfig config();
    }

    @ParentCommand
    Host host;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(host.terminal().out());
    }

    /** The services a command works with, on an open database; {@code audit} records its changes. */
    record Tools(Database database, AccountService accounts, UserAdministration administration,
                 CommandLineAudit audit, PrintStream out, PrintStream err) {}

    <T> T withTools(Function<Tools, T> work) {
        LatchkeyConfig config = host.config();
        Clock clock = Clock.systemUTC();
        try (Database database = Database.open(new DatabaseSettings(config.databaseUrl(), config.dataDirectory(), 2));
             HashingPool hashing = HashingPool.sizedForThisMachine()) {
            BreachCheck breaches = config.abuse().hibp().enabled() ? new PwnedPasswords(config.abuse().hibp()) : BreachCheck.none();
            AccountService accounts = new AccountService(database.users(),
                    LatchkeyServer.passwordHashing(config, new SecureRandom()), LatchkeyServer.passwordPolicy(config), hashing,
                    breaches, clock);
            // This process serves no tokens: its revocation list is only written to. Running
            // servers learn of the revocations from the database at their next sync.
            RevocationList unused = new RevocationList(clock, config.tokens().accessTokenTtl());
            UserAdministration administration = new UserAdministration(database.users(), database.sessions(), unused, clock);
            CommandLineAudit audit = new CommandLineAudit(database.audit(), clock, host.terminal().err());
            return work.apply(new Tools(database, accounts, administration, audit, host.terminal().out(),
                    host.terminal().err()));
        }
    }

    static User resolve(Tools tools, String idOrEmail) {
        return tools.administration().findByIdOrEmail(idOrEmail)
                .orElseThrow(() -> new CliFailure("no user with id or email " + idOrEmail));
    }

    static String describe(User user) {
        return user.email() + " (" + user.id() + ")";
    }

    /** Abstract base of the commands that act on one user. */
    abstract static class OnOneUser implements Callable<Integer> {
        @ParentCommand
        UsersCommand users;

        @Parameters(index = "0", paramLabel = "ID_OR_EMAIL", description = "The user's id, or email address.")
        String who;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create an account.",
                    "The password is read from standard input with --password-stdin (one line), or from the variable "
                            + NEW_USER_PASSWORD + "; it is never a command-line argument."})
    static final class Create implements Callable<Integer> {
        @ParentCommand
        UsersCommand users;

        @Option(names = "--email", required = true, description = "Email address of the account.")
        String email;

        @Option(names = "--role", defaultValue = Roles.USER, description = "Role: user or admin (default: ${DEFAULT-VALUE}).")
        String role;

        @Option(names = "--password-stdin", description = "Read the password from the first line of standard input.")
        boolean passwordStdin;

        @Override
        public Integer call() {
            String password = password();
            return users.withTools(tools -> {
                User user = tools.accounts().create(email, password, role);
                tools.audit().record(AuditEventType.USER_CREATE, user.id(), Map.of("role", user.role()));
                tools.out().println("created " + user.role() + " " + describe(user));
                return 0;
            });
        }

        private String password() {
            Terminal terminal = users.host.terminal();
            if (passwordStdin) {
                try {
                    String line = new BufferedReader(new InputStreamReader(terminal.in(), StandardCharsets.UTF_8)).readLine();
                    if (line == null || line.isEmpty()) {
                        throw new CliFailure("--password-stdin: standard input has no password line");
                    }
                    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
                } catch (IOException e) {
                    throw new CliFailure("--password-stdin: cannot read standard input");
                }
            }
            String fromEnv = terminal.env().get(NEW_USER_PASSWORD);
            if (fromEnv == null || fromEnv.isEmpty()) {
                throw new CliFailure("no password: pipe it with --password-stdin or set " + NEW_USER_PASSWORD);
            }
            return fromEnv;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List accounts, oldest first, as a table or as JSON (--json).")
    static final class ListUsers implements Callable<Integer> {
        @ParentCommand
        UsersCommand users;

        @Option(names = "--role", description = "Only accounts with this role.")
        String role;

        @Option(names = "--email-prefix", description = "Only accounts whose email starts with this (case-insensitive).")
        String emailPrefix;

        @Option(names = "--limit", defaultValue = "50", description = "At most this many accounts (default: ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--cursor", description = "Continue after the nextCursor of an earlier --json listing.")
        String cursor;

        @Option(names = "--json", description = "Print {users: [...], nextCursor} as the admin API answers.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            if (limit < 1 || limit > 100_000) {
                throw new CliFailure("--limit must be between 1 and 100000");
            }
            if (role != null && !Roles.ALL.contains(role)) {
                throw new CliFailure("--role must be one of " + Roles.sorted());
            }
            UserQuery.Position start = null;
            if (cursor != null) {
                start = UserCursor.decode(cursor).orElseThrow(() -> new CliFailure("--cursor is not a cursor Latchkey gave out"));
            }
            String prefix = emailPrefix == null ? null : emailPrefix.strip().toLowerCase(Locale.ROOT);
            UserQuery.Position from = start;
            UserAdministration.Page all = users.withTools(tools -> {
                List<User> found = new ArrayList<>();
                UserQuery.Position after = from;
                while (true) {
                    int size = Math.min(UserQuery.MAX_LIMIT, limit - found.size());
                    UserAdministration.Page page = tools.administration().list(new UserQuery(prefix, role, after, size));
                    found.addAll(page.users());
                    after = page.next();
                    if (after == null || found.size() >= limit) {
                        return new UserAdministration.Page(found, after);
                    }
                }
            });
            PrintStream out = users.host.terminal().out();
            if (json) {
                List<Map<String, Object>> views = new ArrayList<>();
                for (User u : all.users()) {
                    Map<String, Object> view = new LinkedHashMap<>();
                    view.put("id", u.id());
                    view.put("email", u.email());
                    view.put("role", u.role());
                    view.put("createdAt", u.createdAt().toString());
                    view.put("disabledAt", u.disabledAt() == null ? null : u.disabledAt().toString());
                    views.add(view);
                }
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("users", views);
                body.put("nextCursor", all.next() == null ? null : UserCursor.encode(all.next()));
                out.println(new ObjectMapper().writeValueAsString(body));
            } else {
                printTable(out, all);
            }
            return 0;
        }

        private static void printTable(PrintStream out, UserAdministration.Page page) {
            int idWidth = 2;
            int emailWidth = 5;
            for (User u : page.users()) {
                idWidth = Math.max(idWidth, u.id().length());
                emailWidth = Math.max(emailWidth, u.email().length());
            }
            String format = "%-" + idWidth + "s  %-" + emailWidth + "s  %-5s  %-24s  %s%n";
            out.printf(format, "ID", "EMAIL", "ROLE", "CREATED", "STATUS");
            for (User u : page.users()) {
                out.printf(format, u.id(), u.email(), u.role(), u.createdAt(), u.disabled() ? "disabled" : "active");
            }
            if (page.next() != null) {
                out.println("(more: --cursor " + UserCursor.encode(page.next()) + ")");
            }
        }
    }

    @Command(name = "set-role", mixinStandardHelpOptions = true,
            description = {"Change an account's role.",
                    "Its access tokens are revoked (its sessions are kept: the next refresh carries the new role)."})
    static final class SetRole extends OnOneUser {
        @Parameters(index = "1", paramLabel = "ROLE", description = "user or admin.")
        String role;

        @Override
        public Integer call() {
            return users.withTools(tools -> {
                User user = tools.administration().changeRole(resolve(tools, who).id(), role);
                tools.audit().record(AuditEventType.ROLE_CHANGE, user.id(), Map.of("role", user.role()));
                tools.out().println("role of " + describe(user) + " is now " + user.role());
                return 0;
            });
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Disable an account: no login, no refresh; its sessions end.")
    static final class Disable extends OnOneUser {
        @Override
        public Integer call() {
            return users.withTools(tools -> {
                User user = resolve(tools, who);
                tools.administration().disable(user.id());
                tools.audit().record(AuditEventType.USER_DISABLE, user.id(), Map.of());
                tools.out().println("disabled " + describe(user) + " and ended its sessions");
                return 0;
            });
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a disabled account.")
    static final class Enable extends OnOneUser {
        @Override
        public Integer call() {
            return users.withTools(tools -> {
                User user = resolve(tools, who);
                tools.administration().enable(user.id());
                tools.audit().record(AuditEventType.USER_ENABLE, user.id(), Map.of());
                tools.out().println("enabled " + describe(user));
                return 0;
            });
        }
    }

    @Command(name = "logout", mixinStandardHelpOptions = true,
            description = "End every session of an account, and with them its access tokens.")
    static final class Logout extends OnOneUser {
        @Override
        public Integer call() {
            return users.withTools(tools -> {
                User user = resolve(tools, who);
                int ended = tools.administration().logout(user.id());
                tools.audit().record(AuditEventType.FORCED_LOGOUT, user.id(), Map.of());
                tools.out().println("ended " + ended + " session" + (ended == 1 ? "" : "s") + " of " + describe(user));
                return 0;
            });
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete an account with its sessions; its access tokens are refused from then on.")
    static final class Delete extends OnOneUser {
        @Override
        public Integer call() {
            return users.withTools(tools -> {
                User user = resolve(tools, who);
                tools.administration().delete(user.id());
                tools.audit().record(AuditEventType.USER_DELETE, user.id(), Map.of());
                tools.out().println("deleted " + describe(user));
                return 0;
            });
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Import accounts with their existing password hashes from another application.",
                    "FILE is CSV with the header " + ImportFile.HEADER + ", or JSON lines "
                            + "{\"email\": ..., \"role\": ..., \"password_hash\": ...}. Hashes: bcrypt ($2a$, $2b$, $2y$) "
                            + "or argon2id ($argon2id$); they are verified at login and upgraded to the configured "
                            + "algorithm then. An empty role means user. Accounts whose email exists are skipped.",
                    "Invalid lines are reported with their line numbers and the others imported (exit code 1 "
                            + "when any line was invalid); with --strict nothing is imported unless every line is valid."})
    static final class Import implements Callable<Integer> {
        @ParentCommand
        UsersCommand users;

        @Parameters(index = "0", paramLabel = "FILE", description = "CSV or JSON-lines file.")
        Path file;

        @Option(names = "--strict", description = "Import nothing unless every line is valid.")
        boolean strict;

        @Override
        public Integer call() {
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new CliFailure("cannot read " + file + ": no such file");
            } catch (IOException e) {
                throw new CliFailure("cannot read " + file + ": " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : " " + e.getMessage()));
            }
            ImportFile.Parsed parsed = ImportFile.parse(lines);
            PrintStream err = users.host.terminal().err();
            parsed.problems().forEach(p -> err.println("latchkey: " + file.getFileName() + ":" + p.line() + ": " + p.message()));
            PrintStream out = users.host.terminal().out();
            if (strict && !parsed.problems().isEmpty()) {
                out.println("imported 0 (--strict: " + parsed.problems().size() + " invalid line"
                        + (parsed.problems().size() == 1 ? "" : "s") + ", nothing imported)");
                return 1;
            }
            int[] counts = new int[2];
            users.withTools(tools -> {
                try {
                    for (ImportFile.Entry entry : parsed.entries()) {
                        Optional<User> imported = tools.accounts().importUser(entry.email(), entry.role(), entry.passwordHash());
                        imported.ifPresent(user -> tools.audit().add(AuditEventType.USER_IMPORT, user.id(),
                                Map.of("role", user.role())));
                        counts[imported.isPresent() ? 0 : 1]++;
                    }
                } finally {
                    tools.audit().flush(); // what was imported, also when a later line failed
                }
                return null;
            });
            out.println("imported " + counts[0] + ", skipped " + counts[1] + " existing, "
                    + parsed.problems().size() + " invalid");
            return parsed.problems().isEmpty() ? 0 : 1;
        }
    }

    /** The one line a refusal of the domain prints. */
    public static String message(LatchkeyException e) {
        if (e.code() == ErrorCode.NOT_FOUND) {
            return "no such user";
        }
        if (e.fields().isEmpty()) {
            return e.getMessage();
        }
        StringBuilder line = new StringBuilder();
        e.fields().forEach((field, problem) -> line.append(line.isEmpty() ? "" : "; ")
                .append(field.equals("email") ? "--email" : field.equals("role") ? "role" : field).append(' ').append(problem));
        return line.toString();
    }
}
