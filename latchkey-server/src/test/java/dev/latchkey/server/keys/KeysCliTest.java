package dev.latchkey.server.keys;

import static dev.latchkey.server.keys.KeyRotationTest.jwksKids;
import static dev.latchkey.server.keys.KeyRotationTest.kid;
import static dev.latchkey.server.keys.KeyRotationTest.registered;
import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.audit.AuditEventType;
import dev.latchkey.core.audit.AuditQuery;
import dev.latchkey.server.Client;
import dev.latchkey.server.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * {@code latchkey keys ...} end to end: the real command line in its own JVM, against the
 * database of a running server, which follows the changes within its reload interval.
 */
class KeysCliTest {

    record Run(int exit, String out, String err) {}

    static Run latchkey(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"),
                "-Dlogback.configurationFile=logback.xml", // the production logging: to stderr
                "dev.latchkey.server.Main"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("LATCHKEY_"));
        builder.environment().putAll(env);
        try {
            Path out = Files.createTempFile("latchkey-cli", ".out");
            Path err = Files.createTempFile("latchkey-cli", ".err");
            Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("latchkey " + String.join(" ", args) + " did not end");
            }
            return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Map<String, String> envOf(TestServer server) {
        Map<String, String> env = new HashMap<>(KeyRotationTest.SHORT);
        env.put("LATCHKEY_DATA_DIR", server.dataDirectory().toString());
        if (server.databaseUrl() != null) {
            env.put("LATCHKEY_DATABASE_URL", server.databaseUrl());
        }
        return env;
    }

    /** The one line a failing command prints, without the log lines around it. */
    static String errorLine(Run run) {
        List<String> lines = run.err().lines().filter(l -> l.startsWith("latchkey: ")).toList();
        assertThat(lines).as(run.err()).hasSize(1);
        assertThat(run.err()).doesNotContain("Exception", "\tat ");
        return lines.get(0);
    }

    @ParameterizedTest
    @EnumSource(TestServer.Engine.class)
    void listGenerateAndRotateAgainstARunningServer(TestServer.Engine engine) throws Exception {
        try (TestServer server = TestServer.start(engine, Clock.systemUTC(), KeyRotationTest.SHORT)) {
            Client client = new Client(server.baseUrl());
            Map<String, String> env = envOf(server);
            String first = server.server().keys().get().current().kid();

            Run list = latchkey(env, "keys", "list");
            assertThat(list.exit()).as(list.err()).isZero();
            assertThat(list.out()).contains("KID", "STATE").contains(first).contains("active");

            Run generate = latchkey(env, "keys", "generate", "--alg", "ES256");
            assertThat(generate.exit()).as(generate.err()).isZero();
            assertThat(generate.out()).startsWith("generated ").contains("ES256");
            String pending = generate.out().split(" ")[1];
            assertThat(latchkey(env, "keys", "list").out()).containsPattern(pending + ".*ES256.*published");
            awaitTrue(() -> jwksKids(client).contains(pending));
            assertThat(kid(registered(client).accessToken)).as("a pre-published key does not sign").isEqualTo(first);

            Run rotate = latchkey(env, "keys", "rotate");
            assertThat(rotate.exit()).as(rotate.err()).isZero();
            assertThat(rotate.out()).contains("rotated: " + pending + " (ES256) signs now; " + first + " stays published");
            String listed = latchkey(env, "keys", "list").out();
            assertThat(listed).containsPattern(first + ".*retired-published").containsPattern(pending + ".*active");

            awaitTrue(() -> kid(registered(client).accessToken).equals(pending));
            assertThat(jwksKids(client)).containsExactlyInAnyOrder(first, pending);

            // both changes are in the audit trail, made by the command line
            List<String> keyEvents = new ArrayList<>();
            for (AuditEventType type : List.of(AuditEventType.KEY_GENERATE, AuditEventType.KEY_ROTATE)) {
                server.server().database().audit().find(new AuditQuery(null, type, null, 10))
                        .forEach(e -> keyEvents.add(type.wireName() + " " + e.detailsJson()));
            }
            assertThat(keyEvents).containsExactly(
                    "key.generate {\"kid\":\"" + pending + "\",\"alg\":\"ES256\",\"by\":\"cli\"}",
                    "key.rotate {\"kid\":\"" + pending + "\",\"alg\":\"ES256\",\"previous\":\"" + first
                            + "\",\"by\":\"cli\"}");

            Run badAlg = latchkey(env, "keys", "rotate", "--alg", "HS256");
            assertThat(badAlg.exit()).isEqualTo(1);
            assertThat(errorLine(badAlg)).isEqualTo("latchkey: unsupported algorithm 'HS256' (use RS256 or ES256)");
        }
    }

    @Test
    void helpAndRefusalsAreOneClearLine() throws Exception {
        Run help = latchkey(Map.of(), "keys", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("list", "generate", "rotate");
        for (String sub : List.of("list", "generate", "rotate")) {
            Run subHelp = latchkey(Map.of(), "keys", sub, "--help");
            assertThat(subHelp.exit()).isZero();
            assertThat(subHelp.out()).contains("Usage: latchkey keys " + sub);
        }

        Path data = TestServer.tempDirectory();
        Path keyFile = data.resolve("operator.pem");
        Files.writeString(keyFile, SigningKeySource.toPkcs8Pem(dev.latchkey.core.tokens.SigningKey
                .generateRsa(java.time.Instant.now()).privateJwk()));
        Run refused = latchkey(Map.of("LATCHKEY_DATA_DIR", data.toString(),
                "LATCHKEY_SIGNING_KEY_FILE", keyFile.toString()), "keys", "rotate");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(errorLine(refused)).contains("configured by LATCHKEY_SIGNING_KEY_FILE")
                .contains("rotate it by configuring the new key and restarting");

        // a server once started with that key: the active key is operator-managed, even for a CLI without it
        try (TestServer server = TestServer.start(null, data, Clock.systemUTC(),
                Map.of("LATCHKEY_SIGNING_KEY_FILE", keyFile.toString()))) {
            Run withoutSetting = latchkey(Map.of("LATCHKEY_DATA_DIR", data.toString()), "keys", "rotate");
            assertThat(withoutSetting.exit()).isEqualTo(1);
            assertThat(errorLine(withoutSetting)).contains("was imported from").contains("--force");
        }

        Run unreachable = latchkey(Map.of("LATCHKEY_DATABASE_URL", "postgres://u:secret-pw@127.0.0.1:1/x"), "keys", "list");
        assertThat(unreachable.exit()).isNotZero();
        assertThat(errorLine(unreachable)).startsWith("latchkey: ").doesNotContain("secret-pw");
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(100);
        }
    }
}
