package dev.latchkey.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Latchkey as a child JVM ({@code latchkey serve}) on a free port, started from a class path
 * or from the packaged jar, waited for until {@code /readyz} answers 200. A child process shows
 * what an in-process server cannot (a SIGKILL with no shutdown hook, a cold start on the same
 * data, the packaged jar's own class path) and keeps Latchkey's dependencies apart from the
 * test's. Only JDK classes are used here, so a project with other dependency versions (the
 * Spring example) can take this class without the rest of the testkit's dependencies.
 *
 * <p>The child's environment is only what is given here: none of the surrounding shell's
 * {@code LATCHKEY_*} leaks in. Its output goes to a log file, quoted when it fails to start.
 */
public final class LatchkeyProcess implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    /** What the child JVM runs: the arguments after {@code java} and its options. */
    public record Program(List<String> arguments) {
        public Program {
            arguments = List.copyOf(arguments);
        }

        /** The packaged server jar, whose manifest names its {@code lib/} and the main class. */
        public static Program jar(Path jar) {
            return new Program(List.of("-jar", jar.toString()));
        }

        /** A class path holding {@code dev.latchkey.server.Main} and its dependencies. */
        public static Program classPath(String classPath) {
            return new Program(List.of("-cp", classPath, "dev.latchkey.server.Main"));
        }
    }

    private final Process process;
    private final int port;
    private final Path log;

    private LatchkeyProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts {@code program serve} with {@code PORT} set to a free port and, unless
     * {@code environment} says otherwise, {@code LATCHKEY_ISSUER} naming that port, a fresh data
     * directory and cheap argon2id (tests log in often; the parameters are not under test here).
     */
    public static LatchkeyProcess start(Program program, List<String> jvmOptions, Map<String, String> environment) {
        int port = FreePorts.any();
        Map<String, String> env = new HashMap<>(environment);
        env.put("PORT", Integer.toString(port));
        env.putIfAbsent("LATCHKEY_ISSUER", "http://localhost:" + port);
        env.putIfAbsent("LATCHKEY_ARGON2_MEMORY_KIB", "8192");
        env.putIfAbsent("LATCHKEY_ARGON2_ITERATIONS", "1");
        Path log;
        try {
            if (!env.containsKey("LATCHKEY_DATA_DIR")) {
                env.put("LATCHKEY_DATA_DIR", Files.createTempDirectory("latchkey-process-data").toString());
            }
            log = Files.createTempFile("latchkey-process-", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(program.arguments());
        command.add("serve");
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("LATCHKEY_") || name.equals("PORT"));
        builder.environment().putAll(env);
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        LatchkeyProcess latchkey;
        try {
            latchkey = new LatchkeyProcess(builder.start(), port, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        latchkey.awaitReady();
        return latchkey;
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Latchkey exited with " + process.exitValue()
                        + " before it was ready:\n" + logText());
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/readyz"))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        String text = logText();
        close();
        throw new IllegalStateException("Latchkey was not ready within " + READY_TIMEOUT + ":\n" + text);
    }

    /** {@code http://localhost:<port>}: also the issuer, unless the environment named another. */
    public String baseUrl() {
        return "http://localhost:" + port;
    }

    public long pid() {
        return process.pid();
    }

    /**
     * Kills the process with SIGKILL ({@link Process#destroyForcibly()} on Linux): no shutdown
     * hook runs, nothing is flushed or closed. Returns the exit value, 137 (128 + 9) when the
     * kill signal ended it.
     */
    public int kill() {
        process.destroyForcibly();
        return exitValueWithin(Duration.ofSeconds(10));
    }

    /** The exit value once the process has ended (waits up to 30 s for it). */
    public int exitValue() {
        return exitValueWithin(Duration.ofSeconds(30));
    }

    private int exitValueWithin(Duration wait) {
        try {
            if (!process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the Latchkey process did not exit within " + wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    public String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Stops the process gracefully (SIGTERM), killing it if it does not stop within 10 s. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // a leftover temp file is harmless
        }
    }
}
