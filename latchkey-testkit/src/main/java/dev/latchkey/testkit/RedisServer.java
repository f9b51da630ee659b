package dev.latchkey.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway Redis for tests, from the machine's Debian package ({@code redis-server}): started
 * on a free loopback port without persistence ({@code --save '' --appendonly no}) in a temporary
 * directory, stopped and deleted by {@link #close()} (and at JVM exit). {@link #stop()} and
 * {@link #start()} take it away and bring it back on the same port, as an outage would.
 *
 * <p>When {@code redis-server} is not installed the test fails with a message saying what to
 * install: a test that silently skips proves nothing.
 */
public final class RedisServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisServer.class);
    private static final List<Path> CANDIDATES = List.of(Path.of("/usr/bin/redis-server"), Path.of("/usr/local/bin/redis-server"));
    private static final long READY_TIMEOUT_MILLIS = 10_000;

    private final Path binary;
    private final Path directory;
    private final int port;
    private Process process;

    private RedisServer(Path binary, Path directory, int port) {
        this.binary = binary;
        this.directory = directory;
        this.port = port;
    }

    /** Starts a new server on a free port. */
    public static RedisServer start() {
        Path binary = CANDIDATES.stream().filter(Files::isExecutable).findFirst().orElseThrow(() -> new IllegalStateException(
                "The tests need a Redis server: install Debian's redis-server package "
                        + "(apt-get install redis-server; scripts/test.sh does it when missing). Looked for " + CANDIDATES));
        Path directory;
        try {
            directory = Files.createTempDirectory("latchkey-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare a directory for the test Redis", e);
        }
        RedisServer server = new RedisServer(binary, directory, FreePorts.any());
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "latchkey-test-redis-stop"));
        server.startProcess();
        return server;
    }

    /** Starts it again on the same port after {@link #stop()} (an empty Redis: nothing was persisted). */
    public synchronized void restart() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the test Redis is running already");
        }
        startProcess();
    }

    /** Stops the server at once (SIGKILL): connected clients see the connection drop. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** True when the server answers PING. */
    public boolean answers() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(500);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[7];
            int read = in.readNBytes(reply, 0, 7);
            return new String(reply, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public synchronized void close() {
        stop();
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }

    private synchronized void startProcess() {
        long started = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", directory.toString(), "--daemonize", "no",
                "--logfile", directory.resolve("redis.log").toString());
        builder.redirectErrorStream(true).redirectOutput(directory.resolve("redis.out").toFile());
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + binary, e);
        }
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the test Redis exited with " + process.exitValue() + ": " + logText());
            }
            if (answers()) {
                log.info("Started test Redis on 127.0.0.1:{} in {} ms", port,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("the test Redis did not answer within " + READY_TIMEOUT_MILLIS + " ms: " + logText());
    }

    private String logText() {
        try {
            return Files.readString(directory.resolve("redis.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
