package dev.latchkey.server;

import dev.latchkey.testkit.LatchkeyProcess;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Latchkey as a child process started from this module's test class path, for what an
 * in-process server cannot show: a hard crash (SIGKILL, no shutdown hook, no graceful close of
 * the pool) and a start from cold on the same database and data directory. The settings are
 * {@link TestServer}'s (its issuer, so tokens from several processes and in-process servers
 * agree; generous rate limits); the launching is the testkit's {@link LatchkeyProcess}.
 */
public final class ProcessServer {
    private ProcessServer() {
    }

    /**
     * Starts a server and waits until {@code /readyz} answers 200. {@code overrides} are added
     * to (or replace) the environment; a null database URL means the embedded SQLite file in
     * the data directory.
     */
    public static LatchkeyProcess start(String databaseUrl, Path dataDirectory, Map<String, String> overrides) {
        return start(databaseUrl, dataDirectory, overrides, List.of());
    }

    /** As above, with extra JVM options (such as {@code -Dlogback.configurationFile=logback.xml}). */
    public static LatchkeyProcess start(String databaseUrl, Path dataDirectory, Map<String, String> overrides,
                                        List<String> jvmOptions) {
        Map<String, String> env = new HashMap<>();
        env.put("LATCHKEY_DATA_DIR", dataDirectory.toString());
        env.put("LATCHKEY_ISSUER", "http://localhost:8080");
        env.putAll(TestServer.GENEROUS_LIMITS);
        if (databaseUrl != null) {
            env.put("LATCHKEY_DATABASE_URL", databaseUrl);
        }
        env.putAll(overrides);
        return LatchkeyProcess.start(LatchkeyProcess.Program.classPath(System.getProperty("java.class.path")),
                jvmOptions, env);
    }
}
