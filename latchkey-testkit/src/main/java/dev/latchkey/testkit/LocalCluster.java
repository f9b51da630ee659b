package dev.latchkey.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway PostgreSQL cluster made from the machine's Debian packages
 * ({@code /usr/lib/postgresql/<version>/bin}): initdb into a temporary directory, start on a
 * free loopback port with durability turned off (tests do not need it, and it makes start and
 * CREATE DATABASE fast), stop and delete at JVM exit.
 */
final class LocalCluster {

    static final String HOST = "127.0.0.1";
    static final String SUPERUSER = "postgres";

    private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);
    private static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");
    private static final String OS_USER = "postgres";
    private static final int START_ATTEMPTS = 3;

    private final Path binDirectory;
    private final Path baseDirectory;
    private final Path dataDirectory;
    private final List<String> runAs;
    private int port;

    private LocalCluster(Path binDirectory, Path baseDirectory, List<String> runAs) {
        this.binDirectory = binDirectory;
        this.baseDirectory = baseDirectory;
        this.dataDirectory = baseDirectory.resolve("data");
        this.runAs = runAs;
    }

    int port() {
        return port;
    }

    static LocalCluster start() {
        long started = System.nanoTime();
        Path bin = findBinaries();
        List<String> runAs = runAsPrefix();
        Path base;
        try {
            base = Files.createTempDirectory("latchkey-pg-");
            if (!runAs.isEmpty()) {
                // PostgreSQL refuses to run as root; the server runs as the postgres OS user,
                // which must own its directories.
                UserPrincipalLookupService users = base.getFileSystem().getUserPrincipalLookupService();
                Files.setOwner(base, users.lookupPrincipalByName(OS_USER));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare a directory for the test PostgreSQL", e);
        }
        LocalCluster cluster = new LocalCluster(bin, base, runAs);
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::stopAndDelete, "latchkey-test-pg-stop"));
        cluster.initdb();
        cluster.startServer();
        log.info("Started test PostgreSQL ({}) on {}:{} in {} ms", bin.getParent().getFileName(), HOST, cluster.port,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return cluster;
    }

    private static Path findBinaries() {
        Optional<Path> newest = Optional.empty();
        if (Files.isDirectory(DEBIAN_ROOT)) {
            try (Stream<Path> versions = Files.list(DEBIAN_ROOT)) {
                newest = versions
                        .filter(v -> v.getFileName().toString().matches("\\d+(\\.\\d+)?"))
                        .filter(v -> Files.isExecutable(v.resolve("bin/initdb")) && Files.isExecutable(v.resolve("bin/pg_ctl")))
                        .max(Comparator.comparingDouble(v -> Double.parseDouble(v.getFileName().toString())));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return newest.map(v -> v.resolve("bin")).orElseThrow(() -> new IllegalStateException(
                "No PostgreSQL server binaries (initdb, pg_ctl) under " + DEBIAN_ROOT + "/<version>/bin. "
                        + "Install them (apt-get install postgresql) or set " + PostgresServer.URL_VARIABLE
                        + " to a PostgreSQL URL whose user may create databases."));
    }

    private static List<String> runAsPrefix() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return List.of();
        }
        for (String runuser : List.of("/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser")) {
            if (Files.isExecutable(Path.of(runuser))) {
                return List.of(runuser, "-u", OS_USER, "--");
            }
        }
        throw new IllegalStateException("Running as root, PostgreSQL must run as the '" + OS_USER
                + "' OS user, but runuser was not found");
    }

    private void initdb() {
        run(List.of(binDirectory.resolve("initdb").toString(), "-D", dataDirectory.toString(),
                "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"), 60);
    }

    private void startServer() {
        IllegalStateException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            port = freePort();
            // Durability off: a test cluster is thrown away, and fsync is what makes it slow.
            String options = "-c listen_addresses=" + HOST + " -p " + port + " -k " + baseDirectory
                    + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
            try {
                run(List.of(binDirectory.resolve("pg_ctl").toString(), "-D", dataDirectory.toString(),
                        "-l", baseDirectory.resolve("postgres.log").toString(), "-o", options, "-w", "-t", "30",
                        "start"), 45);
                return;
            } catch (IllegalStateException e) {
                // Most likely someone took the free port between probing and binding: try another.
                last = e;
                log.warn("Test PostgreSQL did not start on port {} (attempt {}): {}", port, attempt, e.getMessage());
            }
        }
        throw last;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port for the test PostgreSQL", e);
        }
    }

    private void stopAndDelete() {
        try {
            if (Files.exists(dataDirectory.resolve("postmaster.pid"))) {
                run(List.of(binDirectory.resolve("pg_ctl").toString(), "-D", dataDirectory.toString(),
                        "-m", "immediate", "-w", "-t", "10", "stop"), 15);
            }
        } catch (RuntimeException e) {
            log.warn("Could not stop the test PostgreSQL: {}", e.getMessage());
        }
        deleteTree(baseDirectory);
    }

    private void run(List<String> command, int timeoutSeconds) {
        List<String> full = new ArrayList<>(runAs);
        full.addAll(command);
        Path output = null;
        try {
            // Output goes to a file, not a pipe: the postmaster started by pg_ctl would otherwise
            // inherit the pipe and keep it open.
            output = Files.createTempFile("latchkey-pg-cmd-", ".log");
            Process process = new ProcessBuilder(full)
                    .directory(baseDirectory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeoutSeconds
                        + " s" + serverLog());
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(command.get(0) + " failed (exit " + process.exitValue() + "): "
                        + Files.readString(output, StandardCharsets.UTF_8).strip() + serverLog());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + command.get(0), e);
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a stray temp file is harmless
                }
            }
        }
    }

    private String serverLog() {
        Path logFile = baseDirectory.resolve("postgres.log");
        try {
            if (Files.exists(logFile)) {
                List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
                return "\nserver log (tail):\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
            }
        } catch (IOException ignored) {
            // the log is only a help for the message
        }
        return "";
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort at exit; the directory is in the system temp dir anyway
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // best effort
        }
    }
}
