package dev.latchkey.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    /** Lines the child may print besides Latchkey's own: the JVM's warnings and log lines below ERROR. */
    private static final Pattern NOISE = Pattern.compile("WARNING: .*|\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (TRACE|DEBUG|INFO|WARN) .*");

    @TempDir
    Path dataDir;

    record Result(int exitCode, String out, String err, Duration took) {
        List<String> errLines() {
            return err.lines().filter(line -> !line.isBlank() && !NOISE.matcher(line).matches()).toList();
        }
    }

    // In process: help and version never read the environment.

    private static Result inProcess(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        long start = System.nanoTime();
        int code;
        try {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            code = Main.run(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return new Result(code, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8),
                Duration.ofNanos(System.nanoTime() - start));
    }

    @Test
    void helpListsTheCommands() {
        Result r = inProcess("--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("Usage: latchkey", "serve", "migrate");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void noCommandPrintsTheUsage() {
        Result r = inProcess();

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("Usage: latchkey", "serve", "migrate");
    }

    @Test
    void serveHelp() {
        Result r = inProcess("serve", "--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("Usage: latchkey serve", "Start the HTTP server");
    }

    @Test
    void migrateHelp() {
        Result r = inProcess("migrate", "--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("Usage: latchkey migrate", "migrations");
    }

    @Test
    void version() {
        Result r = inProcess("--version");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("latchkey ");
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        Result r = inProcess("bogus");

        assertThat(r.exitCode()).isEqualTo(2);
        // picocli names the bad argument and suggests the closest command (or prints the usage).
        assertThat(r.err()).contains("Unmatched argument", "bogus");
    }

    // In a child JVM: these read the real environment.

    @Test
    void aBadVariableStopsWithOneLineNamingItAndExitCode2() throws Exception {
        Result r = child(Map.of("LATCHKEY_ACCESS_TOKEN_TTL", "soon"), "serve");

        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        assertThat(r.errLines()).as(r.err()).hasSize(1);
        assertThat(r.errLines().getFirst()).startsWith("latchkey: configuration error: LATCHKEY_ACCESS_TOKEN_TTL: ")
                .contains("'soon'");
        assertThat(Files.exists(dataDir.resolve("latchkey.db"))).as("nothing started").isFalse();
    }

    @Test
    void migrateCreatesTheEmbeddedDatabase() throws Exception {
        Result r = child(Map.of(), "migrate");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("latchkey: database is up to date");
        assertThat(dataDir.resolve("latchkey.db")).isRegularFile();

        Result again = child(Map.of(), "migrate");
        assertThat(again.exitCode()).as(again.err()).isZero();
    }

    @Test
    void anUnreachableDatabaseFailsFastInOneLineWithoutThePassword() throws Exception {
        Result r = child(Map.of("LATCHKEY_DATABASE_URL", "postgres://latchkey:s3cret-pw@127.0.0.1:1/latchkey"), "serve");

        assertThat(r.exitCode()).as(r.err()).isNotZero().isNotEqualTo(2);
        assertThat(r.took()).isLessThan(Duration.ofSeconds(30));
        assertThat(r.errLines()).as(r.err()).hasSize(1);
        assertThat(r.errLines().getFirst()).startsWith("latchkey: ").contains("database", "127.0.0.1");
        assertThat(r.err() + r.out()).doesNotContain("s3cret-pw").doesNotContain("\tat ");
    }

    @Test
    void serveCheckOnAFreshDataDirectoryPrintsASummaryAndStartsNothing() throws Exception {
        Result r = child(Map.of(), "serve", "--check");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("latchkey: configuration: ok", "created and migrated at first start",
                "generated into", "latchkey: ready to serve");
        assertThat(Files.exists(dataDir.resolve("latchkey.db"))).as("nothing created").isFalse();
        assertThat(r.out() + r.err()).contains("development default: embedded SQLite database")
                .contains("development default: signing key generated");
    }

    @Test
    void serveCheckAfterMigrateSaysTheSchemaIsCurrentAndLoadsTheKey() throws Exception {
        assertThat(child(Map.of(), "migrate").exitCode()).isZero();
        Path key = writeKey();

        Result r = child(Map.of("LATCHKEY_SIGNING_KEY_FILE", key.toString()), "serve", "--check");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("reachable", "migrations current", "loaded from LATCHKEY_SIGNING_KEY_FILE", "RS256");
    }

    @Test
    void serveCheckFailsInOneLineOnAnUnreachableDatabase() throws Exception {
        Result r = child(Map.of("LATCHKEY_DATABASE_URL", "postgres://latchkey:s3cret-pw@127.0.0.1:1/latchkey"), "serve", "--check");

        assertThat(r.exitCode()).as(r.err()).isEqualTo(3);
        assertThat(r.errLines()).as(r.err()).hasSize(1);
        assertThat(r.errLines().getFirst()).startsWith("latchkey: ").contains("database");
        assertThat(r.out()).doesNotContain("ready to serve");
        assertThat(r.err() + r.out()).doesNotContain("s3cret-pw");
    }

    @Test
    void aGarbageSigningKeyFileStopsWithOneLineNamingTheVariable() throws Exception {
        Path garbage = Files.writeString(dataDir.resolve("garbage.pem"), "-----BEGIN PRIVATE KEY-----\nnot base64 at all\n");

        for (String[] args : new String[][] {{"serve"}, {"serve", "--check"}}) {
            assertThat(child(Map.of(), "migrate").exitCode()).isZero();
            Result r = child(Map.of("LATCHKEY_SIGNING_KEY_FILE", garbage.toString()), args);

            assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
            assertThat(r.errLines()).as(r.err()).hasSize(1);
            assertThat(r.errLines().getFirst()).startsWith("latchkey: configuration error: LATCHKEY_SIGNING_KEY_FILE: ");
            assertThat(r.err()).doesNotContain("not base64 at all").doesNotContain("\tat ");
        }
    }

    @Test
    void aDatabaseWithANewerSchemaStopsWithOneLine() throws Exception {
        assertThat(child(Map.of(), "migrate").exitCode()).isZero();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("latchkey.db"));
             java.sql.Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,"
                    + " installed_by, execution_time, success) VALUES (99, '99', 'from a newer build', 'SQL',"
                    + " 'V99__from_a_newer_build.sql', 0, 'test', 1, 1)");
        }

        for (String[] args : new String[][] {{"serve"}, {"serve", "--check"}, {"migrate"}}) {
            Result r = child(Map.of(), args);

            assertThat(r.exitCode()).as(r.err()).isEqualTo(3);
            assertThat(r.errLines()).as(r.err()).hasSize(1);
            assertThat(r.errLines().getFirst()).startsWith("latchkey: Database migration failed")
                    .contains("schema version 99, newer than this build");
        }
    }

    private Path writeKey() throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        byte[] der = generator.generateKeyPair().getPrivate().getEncoded();
        String pem = "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END PRIVATE KEY-----\n";
        return Files.writeString(dataDir.resolve("key.pem"), pem);
    }

    private Result child(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(name -> name.startsWith("LATCHKEY_") || name.equals("PORT"));
        environment.put("PORT", "0");
        environment.put("LATCHKEY_DATA_DIR", dataDir.toString());
        environment.putAll(env);
        Path out = Files.createTempFile("latchkey-main-out", ".txt");
        Path err = Files.createTempFile("latchkey-main-err", ".txt");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
        long start = System.nanoTime();
        Process process = builder.start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("latchkey " + String.join(" ", args) + " did not end within 60 s");
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err),
                    Duration.ofNanos(System.nanoTime() - start));
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}
