package dev.latchkey.bench;

import com.nimbusds.jose.util.JSONArrayUtils;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.latchkey.testkit.PostgresServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Keycloak as the second peer ({@code ./latchkey bench --keycloak}): its distribution from Maven
 * Central, fetched through the project's Maven wrapper and unzipped once into a cache outside the
 * repository, built once for PostgreSQL, started on its own database of the benchmark's
 * PostgreSQL, and given a realm {@code bench} through its admin REST API: strict refresh-token
 * rotation, a public client with direct access grants, and one user per client, each with a
 * password hashed the way Keycloak hashes by default (nothing about hashing is configured).
 */
final class KeycloakPeer {
    static final String VERSION = "26.7.3";
    static final String ARTIFACT = "org.keycloak:keycloak-quarkus-dist:" + VERSION + ":zip";
    static final String REALM = "bench";
    static final String CLIENT_ID = "bench";
    static final int ACCESS_TOKEN_LIFESPAN_SECONDS = 900;
    static final String READY_PATH = "/realms/master/.well-known/openid-configuration";
    /** Options of {@code kc.sh start} apart from the port and the database URL (shown in the report). */
    static final List<String> START_OPTIONS = List.of("--optimized", "--cache=local", "--http-enabled=true",
            "--http-host=127.0.0.1", "--hostname-strict=false");
    private static final String BUILT_MARKER = ".latchkey-bench-built";
    private static final String BUILD_OPTIONS = "--db=postgres";

    /**
     * What the report says about the Keycloak run.
     *
     * @param home            the unzipped distribution
     * @param setupMillis     realm, client and users created (not part of any figure)
     * @param users           users in the realm
     * @param credentialData  Keycloak's stored {@code credentialData} of one user's password (no secret)
     * @param hashing         the same, as algorithm and parameters
     */
    record Info(Path home, long setupMillis, int users, String credentialData, String hashing) {
    }

    private KeycloakPeer() {
    }

    static String username(int index) {
        return "bench-" + index;
    }

    static String password(int index) {
        return "bench-" + index + "-violet-anchor-harbour";
    }

    /**
     * The unzipped and built distribution under {@code java.io.tmpdir}, reused when already there:
     * fetched with the pinned maven-dependency-plugin ({@code ./mvnw dependency:copy}), unzipped, then
     * {@code kc.sh build --db=postgres} once.
     */
    static Path install(Path root) throws IOException, InterruptedException {
        Path cache = Path.of(System.getProperty("java.io.tmpdir"), "latchkey-bench-keycloak");
        Files.createDirectories(cache);
        Path home = cache.resolve("keycloak-" + VERSION);
        try (FileChannel lockFile = FileChannel.open(cache.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock ignored = lockFile.lock()) {
            if (!Files.isRegularFile(home.resolve("bin/kc.sh"))) {
                Path download = Files.createDirectories(cache.resolve("download"));
                Path zip = download.resolve("keycloak-quarkus-dist-" + VERSION + ".zip");
                Files.deleteIfExists(zip); // left by an interrupted run
                BenchMain.say("fetching %s (about 169 MiB) with ./mvnw dependency:copy into %s", ARTIFACT, download);
                run(List.of(root.resolve("mvnw").toString(), "-B", "-q", "-N",
                        "org.apache.maven.plugins:maven-dependency-plugin:copy", "-Dartifact=" + ARTIFACT,
                        "-DoutputDirectory=" + download), root, cache.resolve("fetch.log"), Map.of());
                Path unpacked = Files.createTempDirectory(cache, "unzip-");
                BenchMain.say("unzipping %s", zip);
                unzip(zip, unpacked);
                Files.move(unpacked.resolve("keycloak-" + VERSION), home, StandardCopyOption.ATOMIC_MOVE);
                BenchMain.deleteTree(unpacked);
                Files.delete(zip);
            }
            Path marker = home.resolve(BUILT_MARKER);
            if (!Files.isRegularFile(marker) || !Files.readString(marker).strip().equals(BUILD_OPTIONS)) {
                BenchMain.say("kc.sh build %s (once)", BUILD_OPTIONS);
                run(List.of(home.resolve("bin/kc.sh").toString(), "build", BUILD_OPTIONS), home,
                        cache.resolve("build.log"), Map.of("JAVA_HOME", System.getProperty("java.home")));
                Files.writeString(marker, BUILD_OPTIONS + "\n");
            }
        }
        return home;
    }

    /**
     * Starts Keycloak on a new database of {@code pg}, timed from {@code kc.sh start} to the first
     * 200 of the master realm's discovery document. The JVM is the bench's own JDK.
     */
    static ServerProcess start(Path home, Path work, PostgresServer pg, String adminUser, String adminPassword)
            throws IOException, InterruptedException {
        String database = pg.databaseName(pg.createDatabase());
        int port = ServerProcess.freePort();
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/kc.sh").toString());
        command.add("start");
        command.addAll(START_OPTIONS);
        command.add("--http-port=" + port);
        command.add("--db-url=jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + database);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("KC_DB_USERNAME", pg.user());
        if (pg.password() != null) {
            env.put("KC_DB_PASSWORD", pg.password());
        }
        env.put("KC_BOOTSTRAP_ADMIN_USERNAME", adminUser);
        env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", adminPassword);
        return ServerProcess.start(command, Files.createDirectories(work.resolve("keycloak")), port, env, READY_PATH);
    }

    /**
     * Creates realm {@code bench} with its client and {@code users} users (one request, the users
     * in the realm representation), then reads back one user's password credential.
     */
    static Info setUp(Path home, URI base, String adminUser, String adminPassword, int users)
            throws IOException, InterruptedException {
        long started = System.nanoTime();
        try (HttpClient http = LatchkeyHttp.newClient()) {
            String token = adminToken(http, base, adminUser, adminPassword);
            HttpResponse<String> created = http.send(json(base.resolve("/admin/realms"), token, realm(users)),
                    HttpResponse.BodyHandlers.ofString());
            if (created.statusCode() != 201) {
                throw new IllegalStateException("Keycloak refused the realm: " + created.statusCode() + " " + created.body());
            }
            long setupMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            // a fresh admin token: the master realm's last only 60 s, and the import may take a while
            token = adminToken(http, base, adminUser, adminPassword);
            String found = get(http, base.resolve("/admin/realms/" + REALM + "/users?exact=true&username="
                    + KeycloakScenario.form(username(0))), token);
            String credentialData;
            try {
                List<Object> list = JSONArrayUtils.parse(found);
                if (list.isEmpty()) {
                    throw new IllegalStateException("Keycloak has no user " + username(0));
                }
                @SuppressWarnings("unchecked")
                String id = (String) ((Map<String, Object>) list.get(0)).get("id");
                List<Object> credentials = JSONArrayUtils.parse(get(http, base.resolve("/admin/realms/" + REALM
                        + "/users/" + id + "/credentials"), token));
                credentialData = credentials.stream().map(c -> {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = (Map<String, Object>) c;
                    return m;
                }).filter(m -> "password".equals(m.get("type"))).map(m -> String.valueOf(m.get("credentialData")))
                        .findFirst().orElseThrow(() -> new IllegalStateException("no password credential"));
            } catch (ParseException e) {
                throw new IOException("unexpected answer from Keycloak's admin API: " + e.getMessage(), e);
            }
            return new Info(home, setupMillis, users, credentialData, describeHashing(credentialData));
        }
    }

    /**
     * Keycloak's credential data as algorithm and parameters, e.g. {@code argon2 (type id, version 1.3,
     * memory 7168 KiB, iterations 5, parallelism 1, hash length 32)}; the raw data when it cannot be read.
     */
    static String describeHashing(String credentialData) {
        try {
            Map<String, Object> data = JSONObjectUtils.parse(credentialData);
            StringBuilder out = new StringBuilder(String.valueOf(data.get("algorithm")));
            List<String> parts = new ArrayList<>();
            Object extra = data.get("additionalParameters");
            Map<String, String> params = new LinkedHashMap<>();
            if (extra instanceof Map<?, ?> map) {
                map.forEach((k, v) -> params.put(String.valueOf(k),
                        v instanceof List<?> l && l.size() == 1 ? String.valueOf(l.get(0)) : String.valueOf(v)));
            }
            add(parts, params.remove("type"), "type ");
            add(parts, params.remove("version"), "version ");
            add(parts, params.remove("memory"), "memory ", " KiB");
            Object iterations = data.get("hashIterations");
            if (iterations != null) {
                parts.add("iterations " + iterations);
            }
            add(parts, params.remove("parallelism"), "parallelism ");
            add(parts, params.remove("hashLength"), "hash length ");
            params.forEach((k, v) -> parts.add(k + " " + v));
            if (!parts.isEmpty()) {
                out.append(" (").append(String.join(", ", parts)).append(')');
            }
            return out.toString();
        } catch (ParseException | RuntimeException e) {
            return credentialData;
        }
    }

    private static void add(List<String> parts, String value, String prefix) {
        add(parts, value, prefix, "");
    }

    private static void add(List<String> parts, String value, String prefix, String suffix) {
        if (value != null) {
            parts.add(prefix + value + suffix);
        }
    }

    /** Realm {@code bench}: strict refresh-token rotation, a public client with direct grants only, the users. */
    static String realm(int users) {
        StringBuilder json = new StringBuilder();
        json.append("{\"realm\":\"").append(REALM).append("\",\"enabled\":true")
                .append(",\"accessTokenLifespan\":").append(ACCESS_TOKEN_LIFESPAN_SECONDS)
                .append(",\"revokeRefreshToken\":true,\"refreshTokenMaxReuse\":0")
                .append(",\"clients\":[{\"clientId\":\"").append(CLIENT_ID).append("\",\"enabled\":true")
                .append(",\"publicClient\":true,\"directAccessGrantsEnabled\":true,\"standardFlowEnabled\":false")
                .append(",\"implicitFlowEnabled\":false,\"serviceAccountsEnabled\":false}]")
                .append(",\"users\":[");
        for (int i = 0; i < users; i++) {
            if (i > 0) {
                json.append(',');
            }
            // a complete profile (names, verified email) and no required action: the password grant
            // refuses an account that is "not fully set up"
            json.append("{\"username\":\"").append(username(i)).append("\",\"enabled\":true")
                    .append(",\"email\":\"").append(username(i)).append("@example.com\",\"emailVerified\":true")
                    .append(",\"firstName\":\"Bench\",\"lastName\":\"User ").append(i).append('"')
                    .append(",\"credentials\":[{\"type\":\"password\",\"value\":\"").append(password(i))
                    .append("\",\"temporary\":false}]}");
        }
        return json.append("]}").toString();
    }

    /** A fresh random password for the bootstrap admin of one run. */
    static String newAdminPassword() {
        return UUID.randomUUID().toString();
    }

    private static String adminToken(HttpClient http, URI base, String user, String password)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/realms/master/protocol/openid-connect/token"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&client_id=admin-cli&username="
                        + KeycloakScenario.form(user) + "&password=" + KeycloakScenario.form(password)))
                .build();
        HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
        String token = answer.statusCode() == 200 ? LatchkeyHttp.jsonString(answer.body(), "\"access_token\"") : null;
        if (token == null) {
            throw new IllegalStateException("no admin token from Keycloak: " + answer.statusCode() + " " + answer.body());
        }
        return token;
    }

    private static HttpRequest json(URI uri, String token, String body) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static String get(HttpClient http, URI uri, String token) throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("Keycloak answered " + answer.statusCode() + " to GET " + uri + ": "
                    + answer.body());
        }
        return answer.body();
    }

    private static void run(List<String> command, Path dir, Path log, Map<String, String> env)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("KC_") || name.startsWith("JAVA_OPTS"));
        builder.environment().putAll(env);
        Process process = builder.start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + process.exitValue() + "), see "
                    + log + ":\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
    }

    /** Unzips {@code zip} into {@code into}; the start scripts ({@code bin/*.sh}) become executable. */
    static void unzip(Path zip, Path into) throws IOException {
        Path target = into.toAbsolutePath().normalize();
        try (ZipFile file = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                Path out = target.resolve(entry.getName()).normalize();
                if (!out.startsWith(target)) {
                    throw new IOException("zip entry outside the target: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                    continue;
                }
                Files.createDirectories(out.getParent());
                try (InputStream in = file.getInputStream(entry)) {
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                }
                if (out.getFileName().toString().endsWith(".sh")) {
                    out.toFile().setExecutable(true, false);
                }
            }
        }
    }
}
