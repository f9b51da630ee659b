package dev.latchkey.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latchkey.core.accounts.User;
import dev.latchkey.core.audit.AuditQuery;
import dev.latchkey.core.audit.StoredAuditEvent;
import dev.latchkey.server.Browser;
import dev.latchkey.server.Client;
import dev.latchkey.server.Main;
import dev.latchkey.server.TestServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * {@code latchkey users ...} end to end, in-process through {@link Main#run}, on the database of
 * a running server: what the command line changes is seen over HTTP, revocations included
 * (through the server's periodic revocation sync). Runs on SQLite and PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class UsersCliContractTest {
    static final String PASSWORD = "correct horse battery staple";
    /** Made once with Node's bcryptjs 3.0.3: {@code bcrypt.hashSync("imported from node bcryptjs 1", 10)}. */
    static final String NODE_BCRYPTJS_HASH = "$2b$10$jht4ul6Sjq7fD2Bdj3CT..5zz2WHVPrdsUilnRDYw9sWR9XDDrIgO";
    static final String NODE_PASSWORD = "imported from node bcryptjs 1";

    TestServer server;
    Client client;
    Map<String, String> env;

    abstract TestServer.Engine engine();

    @BeforeAll
    void start() {
        server = TestServer.start(engine(), Clock.systemUTC(), Map.of("LATCHKEY_REVOCATION_SYNC_INTERVAL", "200ms"));
        client = new Client(server.baseUrl());
        env = new HashMap<>();
        env.put("LATCHKEY_DATA_DIR", server.dataDirectory().toString());
        env.put("LATCHKEY_ARGON2_MEMORY_KIB", "8192");
        env.put("LATCHKEY_ARGON2_ITERATIONS", "1");
        if (server.databaseUrl() != null) {
            env.put("LATCHKEY_DATABASE_URL", server.databaseUrl());
        }
    }

    @AfterAll
    void stop() {
        server.close();
    }

    record Run(int exit, String out, String err) {}

    Run cli(String stdin, Map<String, String> extraEnv, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> environment = new HashMap<>(env);
        environment.putAll(extraEnv);
        int exit = Main.run(environment, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    Run cli(String... args) {
        return cli("", Map.of(), args);
    }

    static String email(String what) {
        return what + "-" + System.nanoTime() + "@example.com";
    }

    static String claim(String token, String name) throws Exception {
        return new ObjectMapper().readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1])).get(name).asText();
    }

    /** Polls until the condition holds: the server reads revocations every 200 ms here. */
    static void eventually(Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.get()) {
            assertThat(System.nanoTime()).as("within 5 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] args : List.of(new String[] {"users", "--help"}, new String[] {"users", "create", "--help"},
                new String[] {"users", "list", "--help"}, new String[] {"users", "set-role", "--help"},
                new String[] {"users", "disable", "--help"}, new String[] {"users", "enable", "--help"},
                new String[] {"users", "logout", "--help"}, new String[] {"users", "delete", "--help"},
                new String[] {"users", "import", "--help"})) {
            Run run = cli(args);
            assertThat(run.exit()).as(String.join(" ", args)).isZero();
            assertThat(run.out()).as(String.join(" ", args)).contains("Usage: latchkey users");
        }
        assertThat(cli("users", "create", "--help").out()).contains("--password-stdin").contains("LATCHKEY_NEW_USER_PASSWORD");
    }

    @Test
    void createTakesThePasswordFromStdinOrTheEnvironmentNeverFromAFlag() {
        String fromStdin = email("stdin");
        Run created = cli(PASSWORD + "\n", Map.of(), "users", "create", "--email", fromStdin, "--role", "admin", "--password-stdin");
        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(created.out()).contains("created admin " + fromStdin);
        assertThat(new Browser(client).login(fromStdin, PASSWORD).json().get("user").get("role").asText()).isEqualTo("admin");

        String fromEnv = email("env");
        assertThat(cli("", Map.of("LATCHKEY_NEW_USER_PASSWORD", PASSWORD), "users", "create", "--email", fromEnv).exit()).isZero();
        assertThat(new Browser(client).login(fromEnv, PASSWORD).status()).isEqualTo(200);

        Run noPassword = cli("users", "create", "--email", email("none"));
        assertThat(noPassword.exit()).isEqualTo(1);
        assertThat(noPassword.err().strip()).isEqualTo(
                "latchkey: no password: pipe it with --password-stdin or set LATCHKEY_NEW_USER_PASSWORD");

        Run weak = cli("short\n", Map.of(), "users", "create", "--email", email("weak"), "--password-stdin");
        assertThat(weak.exit()).isEqualTo(1);
        assertThat(weak.err().strip()).isEqualTo("latchkey: password must be at least 15 characters").doesNotContain("short\n");

        Run taken = cli(PASSWORD + "\n", Map.of(), "users", "create", "--email", fromEnv, "--password-stdin");
        assertThat(taken.err().strip()).isEqualTo("latchkey: An account with this email already exists.");
        assertThat(cli("users", "create", "--email", email("x"), "--password", "secret").exit())
                .as("there is no password flag").isEqualTo(2);
    }

    @Test
    void listShowsATableOrJsonWithFilters() throws Exception {
        String tag = "list" + System.nanoTime();
        for (int i = 0; i < 3; i++) {
            cli("", Map.of("LATCHKEY_NEW_USER_PASSWORD", PASSWORD), "users", "create", "--email", tag + i + "@example.com",
                    "--role", i == 1 ? "admin" : "user");
        }
        Run table = cli("users", "list", "--email-prefix", tag.toUpperCase());
        assertThat(table.exit()).isZero();
        List<String> lines = table.out().lines().toList();
        assertThat(lines.getFirst()).startsWith("ID").contains("EMAIL").contains("ROLE").contains("STATUS");
        assertThat(lines).hasSize(4);
        assertThat(lines.get(2)).contains(tag + "1@example.com").contains("admin").contains("active");

        Run json = cli("users", "list", "--email-prefix", tag, "--json", "--limit", "2");
        JsonNode body = new ObjectMapper().readTree(json.out());
        assertThat(body.get("users")).hasSize(2);
        String cursor = body.get("nextCursor").asText();
        JsonNode rest = new ObjectMapper().readTree(cli("users", "list", "--email-prefix", tag, "--json", "--cursor", cursor).out());
        assertThat(rest.get("users")).hasSize(1);
        assertThat(rest.get("users").get(0).get("email").asText()).isEqualTo(tag + "2@example.com");
        assertThat(rest.get("nextCursor").isNull()).isTrue();

        JsonNode admins = new ObjectMapper().readTree(cli("users", "list", "--email-prefix", tag, "--role", "admin", "--json").out());
        assertThat(admins.get("users")).hasSize(1);
        assertThat(cli("users", "list", "--role", "root").err().strip()).isEqualTo("latchkey: --role must be one of [admin, user]");
        assertThat(cli("users", "list", "--cursor", "nope").exit()).isEqualTo(1);
    }

    @Test
    void setRoleLogoutDisableEnableAndDeleteReachARunningServerWithinSeconds() throws Exception {
        String email = email("ops");
        Browser browser = new Browser(client);
        assertThat(browser.register(email, PASSWORD).status()).isEqualTo(201);
        String id = browser.get("/api/me").json().get("id").asText();
        // another admin, so that this user is never the last one
        cli("", Map.of("LATCHKEY_NEW_USER_PASSWORD", PASSWORD), "users", "create", "--email", email("other-admin"), "--role", "admin");

        Run setRole = cli("users", "set-role", email.toUpperCase(), "admin");
        assertThat(setRole.exit()).as(setRole.err()).isZero();
        assertThat(setRole.out()).contains("is now admin");
        eventually(() -> "TOKEN_REVOKED".equals(browser.get("/api/me").code()));
        assertThat(browser.refresh().status()).isEqualTo(200);
        assertThat(claim(browser.accessToken, "role")).isEqualTo("admin");
        assertThat(browser.get("/api/admin/users?limit=1").status()).as("accepted at once").isEqualTo(200);

        assertThat(cli("users", "logout", id).out()).contains("ended 1 session");
        eventually(() -> "TOKEN_REVOKED".equals(browser.get("/api/me").code()));
        assertThat(browser.refresh().status()).isEqualTo(401);

        Browser again = new Browser(client);
        again.login(email, PASSWORD);
        assertThat(cli("users", "disable", id).exit()).isZero();
        eventually(() -> "TOKEN_REVOKED".equals(again.get("/api/me").code()));
        assertThat(new Browser(client).login(email, PASSWORD).code()).isEqualTo("INVALID_CREDENTIALS");
        assertThat(cli("users", "enable", email).exit()).isZero();
        Browser third = new Browser(client);
        assertThat(third.login(email, PASSWORD).status()).isEqualTo(200);

        assertThat(cli("users", "delete", email).out()).contains("deleted " + email);
        eventually(() -> "TOKEN_REVOKED".equals(third.get("/api/me").code()));
        assertThat(new Browser(client).login(email, PASSWORD).code()).isEqualTo("INVALID_CREDENTIALS");

        Run unknown = cli("users", "delete", email);
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err().strip()).isEqualTo("latchkey: no user with id or email " + email);
        assertThat(cli("users", "set-role", "nobody", "root").err().strip()).startsWith("latchkey: no user");
        Run badRole = cli("users", "set-role", cli("users", "list", "--json").out().contains("\"id\"") ? firstId() : "x", "root");
        assertThat(badRole.err().strip()).isEqualTo("latchkey: role must be one of [admin, user]");
    }

    @Test
    void changesAreRecordedInTheAuditTrailNamingTheCommandLine() throws Exception {
        String email = email("audited");
        Run create = cli("", Map.of("LATCHKEY_NEW_USER_PASSWORD", PASSWORD), "users", "create", "--email", email);
        assertThat(create.exit()).as(create.err()).isZero();
        String id = server.server().database().users().findByEmail(email).orElseThrow().id();
        cli("", Map.of("LATCHKEY_NEW_USER_PASSWORD", PASSWORD), "users", "create", "--email", email("other-admin"),
                "--role", "admin"); // so that this user is never the last admin
        for (String[] command : List.of(new String[] {"set-role", id, "admin"}, new String[] {"logout", id},
                new String[] {"disable", id}, new String[] {"enable", id}, new String[] {"delete", email})) {
            List<String> args = new ArrayList<>(List.of("users"));
            args.addAll(List.of(command));
            Run run = cli(args.toArray(String[]::new));
            assertThat(run.exit()).as(run.err()).isZero();
        }

        List<StoredAuditEvent> events = new ArrayList<>(server.server().database().audit()
                .find(new AuditQuery(id, null, null, 20)));
        java.util.Collections.reverse(events); // oldest first
        assertThat(events).extracting(e -> e.event().type().wireName()).containsExactly(
                "user.create", "role.change", "logout.forced", "user.disable", "user.enable", "user.delete");
        assertThat(events).allSatisfy(e -> {
            assertThat(e.detailsJson()).contains("\"by\":\"cli\"");
            assertThat(e.event().outcome().wireName()).isEqualTo("success");
            assertThat(e.event().ip()).isNull();
        });
        assertThat(events.get(0).detailsJson()).isEqualTo("{\"role\":\"user\",\"by\":\"cli\"}");
        assertThat(events.get(1).detailsJson()).isEqualTo("{\"role\":\"admin\",\"by\":\"cli\"}");

        String importedEmail = email("audited-import");
        Path file = Files.createTempFile("import", ".csv");
        Files.write(file, List.of("email,role,password_hash", importedEmail + ",user," + NODE_BCRYPTJS_HASH));
        assertThat(cli("users", "import", file.toString()).exit()).isZero();
        String importedId = server.server().database().users().findByEmail(importedEmail).orElseThrow().id();
        assertThat(server.server().database().audit().find(new AuditQuery(importedId, null, null, 20)))
                .singleElement().satisfies(e -> {
                    assertThat(e.event().type().wireName()).isEqualTo("user.import");
                    assertThat(e.detailsJson()).isEqualTo("{\"role\":\"user\",\"by\":\"cli\"}");
                });
    }

    private String firstId() {
        try {
            return new ObjectMapper().readTree(cli("users", "list", "--json", "--limit", "1").out()).get("users").get(0).get("id").asText();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theLastAdminIsGuardedOnTheCommandLineToo() {
        // this class's database may hold admins from other tests: demote them all but one, then try the last
        List<String> adminIds = new ArrayList<>();
        try {
            new ObjectMapper().readTree(cli("users", "list", "--role", "admin", "--json", "--limit", "1000").out()).get("users")
                    .forEach(u -> adminIds.add(u.get("id").asText()));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        if (adminIds.isEmpty()) {
            String e = email("lone-admin");
            cli("", Map.of("LATCHKEY_NEW_USER_PASSWORD", PASSWORD), "users", "create", "--email", e, "--role", "admin");
            adminIds.add(firstAdmin());
        }
        for (String id : adminIds.subList(1, adminIds.size())) {
            assertThat(cli("users", "set-role", id, "user").exit()).isZero();
        }
        Run refused = cli("users", "disable", adminIds.getFirst());
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err().strip()).isEqualTo("latchkey: This is the last enabled admin; make another user admin first.");
        assertThat(cli("users", "delete", adminIds.getFirst()).exit()).isEqualTo(1);
        assertThat(cli("users", "set-role", adminIds.getFirst(), "user").exit()).isEqualTo(1);
    }

    private String firstAdmin() {
        try {
            return new ObjectMapper().readTree(cli("users", "list", "--role", "admin", "--json").out()).get("users").get(0).get("id").asText();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void importRefusesABcryptCostAboveTheMaximumInOneLine() throws Exception {
        String email = "imp-costly" + System.nanoTime() + "@example.com";
        Path file = Files.createTempFile("import", ".csv");
        Files.write(file, List.of("email,role,password_hash",
                email + ",user,$2y$20$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a"));

        Run run = cli("users", "import", file.toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out().strip()).isEqualTo("imported 0, skipped 0 existing, 1 invalid");
        assertThat(run.err().lines().toList()).singleElement().asString()
                .startsWith("latchkey: " + file.getFileName() + ":2: password_hash bcrypt cost 20 is above 16");
        assertThat(server.server().database().users().findByEmail(email)).isEmpty();
    }

    @Test
    void importTakesOverHashesOfOtherBcryptAndArgon2ImplementationsAndTheyLogIn() throws Exception {
        String tag = "imp" + System.nanoTime();
        Map<String, String> passwords = new java.util.LinkedHashMap<>();
        List<String> csv = new ArrayList<>(List.of("email,role,password_hash"));
        BCryptPasswordEncoder.BCryptVersion[] versions = BCryptPasswordEncoder.BCryptVersion.values(); // $2a$, $2y$, $2b$
        for (int i = 0; i < versions.length; i++) {
            String email = tag + "-spring-" + versions[i].name().toLowerCase() + "@example.com";
            String password = "spring bcrypt password number " + i;
            String hash = new BCryptPasswordEncoder(versions[i], 10).encode(password);
            assertThat(hash).startsWith(versions[i].getVersion() + "$");
            passwords.put(email, password);
            csv.add(email + "," + (i == 0 ? "admin" : "") + "," + hash);
        }
        String argonEmail = tag + "-spring-argon2id@example.com";
        String argonPassword = "spring argon2id password here";
        String argonHash = new Argon2PasswordEncoder(16, 32, 1, 8192, 1).encode(argonPassword);
        assertThat(argonHash).startsWith("$argon2id$v=19$m=8192,t=1,p=1$");
        passwords.put(argonEmail, argonPassword);
        csv.add(argonEmail + ",user," + argonHash); // commas of the PHC string unquoted: the hash is the last column
        String nodeEmail = tag + "-node@example.com";
        passwords.put(nodeEmail, NODE_PASSWORD);
        csv.add("\"" + nodeEmail + "\",\"user\",\"" + NODE_BCRYPTJS_HASH + "\"");
        csv.add(tag + "-bad@example.com,user,$1$md5crypt$xyz");     // line 7: unsupported
        csv.add("not-an-email,user," + NODE_BCRYPTJS_HASH);            // line 8: bad email
        csv.add("");
        csv.add(tag + "-role@example.com,root," + NODE_BCRYPTJS_HASH);  // line 10: bad role
        Path file = Files.createTempFile("import", ".csv");
        Files.write(file, csv);

        Run strict = cli("users", "import", file.toString(), "--strict");
        assertThat(strict.exit()).isEqualTo(1);
        assertThat(strict.out()).contains("nothing imported");
        assertThat(cli("users", "list", "--email-prefix", tag, "--json").out()).contains("\"users\":[]");

        Run run = cli("users", "import", file.toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out().strip()).isEqualTo("imported 5, skipped 0 existing, 3 invalid");
        List<String> errors = run.err().lines().toList();
        assertThat(errors).hasSize(3);
        assertThat(errors.get(0)).startsWith("latchkey: " + file.getFileName() + ":7: password_hash unsupported hash");
        assertThat(errors.get(1)).startsWith("latchkey: " + file.getFileName() + ":8: email must be a valid email address");
        assertThat(errors.get(2)).startsWith("latchkey: " + file.getFileName() + ":10: role must be one of");

        // again, as JSON lines: every account now exists and is skipped
        Path jsonl = Files.createTempFile("import", ".jsonl");
        Files.writeString(jsonl, "{\"email\":\"" + nodeEmail + "\",\"role\":\"user\",\"password_hash\":\"" + NODE_BCRYPTJS_HASH + "\"}\n"
                + "{\"email\":\"" + tag + "-json@example.com\",\"password_hash\":\"" + NODE_BCRYPTJS_HASH + "\"}\n");
        Run second = cli("users", "import", jsonl.toString());
        assertThat(second.exit()).as(second.err()).isZero();
        assertThat(second.out().strip()).isEqualTo("imported 1, skipped 1 existing, 0 invalid");
        passwords.put(tag + "-json@example.com", NODE_PASSWORD);

        for (Map.Entry<String, String> account : passwords.entrySet()) {
            Browser browser = new Browser(client);
            var login = browser.login(account.getKey(), account.getValue());
            assertThat(login.status()).as(account.getKey()).isEqualTo(200);
            assertThat(browser.login(account.getKey(), account.getValue() + "x").status()).isEqualTo(401);
        }
        assertThat(new Browser(client).login(tag + "-spring-a@example.com".replace("-a@", "-" + versions[0].name().toLowerCase() + "@"),
                passwords.values().iterator().next()).json().get("user").get("role").asText()).isEqualTo("admin");
        // each hash was upgraded to the configured argon2id at its first login
        User upgraded = server.server().database().users().findByEmail(nodeEmail).orElseThrow();
        assertThat(upgraded.passwordHash()).startsWith("$argon2id$v=19$m=8192,t=1,p=1$");
        assertThat(cli("users", "import", "/no/such/file.csv").err().strip()).isEqualTo("latchkey: cannot read /no/such/file.csv: no such file");
    }
}
