package dev.latchkey.server.config;

import dev.latchkey.core.sessions.RefreshPolicy;
import dev.latchkey.core.tokens.TokenSettings;
import dev.latchkey.server.keys.SignatureProvider;
import dev.latchkey.server.logging.LogSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Everything Latchkey is configured with, read once from the environment and validated at
 * start. A bad value stops the server with one line naming the variable and what is wrong.
 *
 * @param databaseUrl null for the embedded SQLite database under {@code dataDirectory}
 * @param redisUrl null for a single instance keeping revocations and limits in process
 * @param cookieSecure false only when explicitly configured, for plain-HTTP development off localhost
 * @param revocationSyncInterval how often revocations made elsewhere (other instances, the command line) are read
 * @param unknownVariables {@code LATCHKEY_*} variables that are set but mean nothing to Latchkey
 */
public record LatchkeyConfig(
        int port,
        String databaseUrl,
        Path dataDirectory,
        int databasePoolSize,
        String redisUrl,
        TokenSettings tokens,
        RefreshPolicy refresh,
        List<String> allowedOrigins,
        boolean cookieSecure,
        PasswordSettings passwords,
        SigningKeySettings signingKey,
        BootstrapAdmin bootstrapAdmin,
        List<String> trustedProxies,
        boolean demo,
        Duration revocationSyncInterval,
        AbuseSettings abuse,
        Duration auditRetention,
        Operations operations,
        MailSettings mail,
        Set<String> unknownVariables) {

    /**
     * Metrics and logs. The log format and level are applied by Logback as it starts (see
     * logback.xml); they are read here too so that a bad value stops the start like any other.
     *
     * @param logFormat {@code auto}, {@code json} or {@code text}
     * @param logLevel  {@code TRACE} ... {@code ERROR} or {@code OFF}
     */
    /** @param shutdownGrace how long a stopping server lets requests in flight finish */
    public record Operations(boolean metricsEnabled, String logFormat, String logLevel, Duration shutdownGrace) {
        public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);

        public Operations(boolean metricsEnabled, String logFormat, String logLevel) {
            this(metricsEnabled, logFormat, logLevel, DEFAULT_SHUTDOWN_GRACE);
        }
    }

    /** Password policy and hashing parameters. {@code algorithm} is {@code argon2id} or {@code bcrypt}. */
    public record PasswordSettings(int minLength, String algorithm, int argon2MemoryKib, int argon2Iterations,
                                   int argon2Parallelism, int bcryptCost) {}

    /**
     * Where the signing key comes from (both null: keys are managed in the database, starting from
     * the generated development key in the data directory) and how keys are kept.
     *
     * @param keyEncryptionKey 32 bytes sealing private keys at rest (AES-256-GCM), or null: plaintext PEM
     * @param rotationInterval automatic rotation when the active key is older, or null: off
     * @param reloadInterval   how often each instance re-reads the keys table
     * @param signatureProvider which JCA provider makes and checks token signatures
     */
    public record SigningKeySettings(Path pemFile, String pem, byte[] keyEncryptionKey, Duration rotationInterval,
                                     Duration reloadInterval, SignatureProvider signatureProvider) {
        public SigningKeySettings(Path pemFile, String pem) {
            this(pemFile, pem, null, null, Duration.ofSeconds(10), SignatureProvider.AUTO);
        }

        public boolean generated() {
            return pemFile == null && pem == null;
        }

        @Override
        public String toString() {
            return "SigningKeySettings[pemFile=" + pemFile + ", pem=" + (pem == null ? null : "<redacted>")
                    + ", keyEncryptionKey=" + (keyEncryptionKey == null ? null : "<redacted>")
                    + ", rotationInterval=" + rotationInterval + ", reloadInterval=" + reloadInterval
                    + ", signatureProvider=" + signatureProvider + "]";
        }
    }

    /** The admin account created at start when both are set. */
    public record BootstrapAdmin(String email, String password) {
        @Override
        public String toString() {
            return "BootstrapAdmin[email=" + email + ", password=<redacted>]";
        }
    }

    public boolean embeddedDatabase() {
        return databaseUrl == null;
    }

    public static LatchkeyConfig fromEnvironment() {
        return from(System.getenv());
    }

    public static LatchkeyConfig from(Map<String, String> environment) {
        return read(new EnvReader(environment));
    }

    /**
     * Every variable Latchkey understands (the README's configuration table lists exactly
     * these). Each one is read unconditionally, so reading an empty environment asks for all.
     */
    static Set<String> variables() {
        EnvReader env = new EnvReader(Map.of());
        read(env);
        return Set.copyOf(env.known());
    }

    private static LatchkeyConfig read(EnvReader env) {
        int port = env.integer("PORT", 8080, 0, 65535);
        String databaseUrl = env.raw("LATCHKEY_DATABASE_URL");
        Path dataDirectory = env.parsed("LATCHKEY_DATA_DIR", Path.of("data"), Path::of);
        int poolSize = env.integer("LATCHKEY_DATABASE_POOL_SIZE", 10, 1, 200);
        String redisUrl = env.parsed("LATCHKEY_REDIS_URL", null, LatchkeyConfig::redisUrl);

        String issuer = env.httpUrl("LATCHKEY_ISSUER", "http://localhost:" + port);
        String audience = env.string("LATCHKEY_AUDIENCE", "latchkey");
        String clientId = env.string("LATCHKEY_CLIENT_ID", "latchkey-web");
        Duration accessTtl = env.duration("LATCHKEY_ACCESS_TOKEN_TTL", Duration.ofMinutes(15),
                Duration.ofSeconds(1), Duration.ofDays(1));
        Duration leeway = env.duration("LATCHKEY_CLOCK_LEEWAY", Duration.ofSeconds(30),
                Duration.ZERO, Duration.ofMinutes(5));
        TokenSettings tokens = new TokenSettings(issuer, audience, clientId, accessTtl, leeway);

        Duration idle = env.duration("LATCHKEY_REFRESH_TOKEN_TTL", Duration.ofDays(7),
                Duration.ofSeconds(1), Duration.ofDays(3650));
        Duration maxAge = env.duration("LATCHKEY_SESSION_MAX_AGE", Duration.ofDays(30),
                Duration.ofSeconds(1), Duration.ofDays(3650));
        // The grace window must be positive: the loser of a refresh race is answered as a replay inside it.
        Duration grace = env.duration("LATCHKEY_REFRESH_REUSE_GRACE", Duration.ofSeconds(10),
                Duration.ofSeconds(1), Duration.ofMinutes(5));
        if (idle.compareTo(maxAge) > 0) {
            throw new ConfigException("LATCHKEY_REFRESH_TOKEN_TTL",
                    "must not be longer than LATCHKEY_SESSION_MAX_AGE (" + maxAge + ")");
        }
        RefreshPolicy refresh = new RefreshPolicy(idle, maxAge, grace);

        List<String> origins = env.parsed("LATCHKEY_ALLOWED_ORIGINS", List.of(origin(issuer)), LatchkeyConfig::origins);
        boolean cookieSecure = env.bool("LATCHKEY_COOKIE_SECURE", true);

        PasswordSettings passwords = new PasswordSettings(
                env.integer("LATCHKEY_PASSWORD_MIN_LENGTH", 15, 8, 256),
                env.parsed("LATCHKEY_PASSWORD_HASH", "argon2id", LatchkeyConfig::hashAlgorithm),
                env.integer("LATCHKEY_ARGON2_MEMORY_KIB", 19456, 8192, 1048576),
                env.integer("LATCHKEY_ARGON2_ITERATIONS", 2, 1, 20),
                env.integer("LATCHKEY_ARGON2_PARALLELISM", 1, 1, 16),
                env.integer("LATCHKEY_BCRYPT_COST", 12, 10, 16));

        Path keyFile = env.parsed("LATCHKEY_SIGNING_KEY_FILE", null, Path::of);
        String keyPem = env.raw("LATCHKEY_SIGNING_KEY");
        if (keyFile != null && keyPem != null) {
            throw new ConfigException("LATCHKEY_SIGNING_KEY", "set either LATCHKEY_SIGNING_KEY or LATCHKEY_SIGNING_KEY_FILE, not both");
        }
        byte[] keyEncryptionKey = env.parsed("LATCHKEY_KEY_ENCRYPTION_KEY", null, LatchkeyConfig::keyEncryptionKey);
        Duration rotationInterval = env.duration("LATCHKEY_KEY_ROTATION_INTERVAL", null,
                Duration.ofMinutes(1), Duration.ofDays(3650));
        if (rotationInterval != null && (keyFile != null || keyPem != null)) {
            throw new ConfigException("LATCHKEY_KEY_ROTATION_INTERVAL", "cannot be used with "
                    + (keyFile != null ? "LATCHKEY_SIGNING_KEY_FILE" : "LATCHKEY_SIGNING_KEY")
                    + ": an operator-managed key is rotated by configuring a new key");
        }
        Duration reloadInterval = env.duration("LATCHKEY_KEY_RELOAD_INTERVAL", Duration.ofSeconds(10),
                Duration.ofSeconds(1), Duration.ofMinutes(5));
        SignatureProvider signatureProvider = env.parsed(SignatureProvider.VARIABLE, SignatureProvider.AUTO,
                text -> SignatureProvider.parse(text).orElseThrow(
                        () -> new IllegalArgumentException("'" + text + "' is not supported (use auto, native or jdk)")));

        String adminEmail = env.raw("LATCHKEY_BOOTSTRAP_ADMIN_EMAIL");
        // Not trimmed: a password is used exactly as given.
        String adminPassword = env.verbatim("LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD");
        if ((adminEmail == null) != (adminPassword == null)) {
            throw new ConfigException(adminEmail == null ? "LATCHKEY_BOOTSTRAP_ADMIN_EMAIL" : "LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD",
                    "must be set together with " + (adminEmail == null ? "LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD" : "LATCHKEY_BOOTSTRAP_ADMIN_EMAIL"));
        }
        BootstrapAdmin admin = adminEmail == null ? null : new BootstrapAdmin(adminEmail, adminPassword);

        List<String> proxies = env.parsed("LATCHKEY_TRUSTED_PROXIES", List.of(), LatchkeyConfig::cidrs);
        boolean demo = env.bool("LATCHKEY_DEMO", databaseUrl == null);
        Duration revocationSync = env.duration("LATCHKEY_REVOCATION_SYNC_INTERVAL", Duration.ofSeconds(5),
                Duration.ofMillis(100), Duration.ofMinutes(1));
        // Read by `latchkey users create` itself; named here so it is not reported as unknown.
        env.raw("LATCHKEY_NEW_USER_PASSWORD");
        AbuseSettings abuse = AbuseSettings.read(env);
        Duration auditRetention = env.duration("LATCHKEY_AUDIT_RETENTION", Duration.ofDays(90), Duration.ofDays(1),
                Duration.ofDays(3650));
        Operations operations = new Operations(
                env.bool("LATCHKEY_METRICS_ENABLED", true),
                env.parsed(LogSettings.FORMAT_VARIABLE, "auto", text -> oneOf(LogSettings.format(text), text, "auto, json or text")),
                env.parsed(LogSettings.LEVEL_VARIABLE, "INFO",
                        text -> oneOf(LogSettings.level(text), text, "TRACE, DEBUG, INFO, WARN, ERROR or OFF")),
                env.duration("LATCHKEY_SHUTDOWN_GRACE", Operations.DEFAULT_SHUTDOWN_GRACE, Duration.ZERO, Duration.ofMinutes(5)));
        MailSettings mail = MailSettings.read(env, issuer);
        // JVM options for ./latchkey: the launcher's, so not reported as an unknown variable.
        env.acknowledge("LATCHKEY_JAVA_OPTS");

        return new LatchkeyConfig(port, databaseUrl, dataDirectory, poolSize, redisUrl, tokens, refresh, origins,
                cookieSecure, passwords,
                new SigningKeySettings(keyFile, keyPem, keyEncryptionKey, rotationInterval, reloadInterval, signatureProvider), admin, proxies, demo,
                revocationSync, abuse, auditRetention, operations, mail, env.unknownLatchkeyVariables());
    }

    /** The origin ({@code scheme://host[:port]}) of an absolute URL, lowercased, default ports dropped. */
    public static String origin(String url) {
        URI uri = URI.create(url.trim());
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        boolean defaultPort = port == -1 || ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
        return scheme + "://" + host + (defaultPort ? "" : ":" + port);
    }

    private static List<String> origins(String text) {
        List<String> result = new ArrayList<>();
        for (String part : text.split(",")) {
            String candidate = part.trim();
            if (candidate.isEmpty()) {
                continue;
            }
            if ("*".equals(candidate) || "null".equalsIgnoreCase(candidate)) {
                throw new IllegalArgumentException("'" + candidate + "' is not allowed: list each origin (credentials are sent)");
            }
            URI uri;
            try {
                uri = new URI(candidate);
            } catch (Exception e) {
                throw new IllegalArgumentException("'" + candidate + "' is not an origin such as https://app.example.com");
            }
            boolean bare = uri.getRawPath() == null || uri.getRawPath().isEmpty() || "/".equals(uri.getRawPath());
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null || !bare
                    || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
                throw new IllegalArgumentException("'" + candidate + "' is not an origin such as https://app.example.com");
            }
            result.add(origin(candidate));
        }
        if (result.isEmpty()) {
            throw new IllegalArgumentException("lists no origin");
        }
        return List.copyOf(result);
    }

    private static String oneOf(String accepted, String text, String choices) {
        if (accepted == null) {
            throw new IllegalArgumentException("'" + text + "' is not supported (use " + choices + ")");
        }
        return accepted;
    }

    private static String hashAlgorithm(String text) {
        String value = text.toLowerCase(Locale.ROOT);
        if (!value.equals("argon2id") && !value.equals("bcrypt")) {
            throw new IllegalArgumentException("'" + text + "' is not supported (use argon2id or bcrypt)");
        }
        return value;
    }

    private static byte[] keyEncryptionKey(String text) {
        byte[] key;
        try {
            key = java.util.Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not base64 (generate one with: openssl rand -base64 32)");
        }
        if (key.length != 32) {
            throw new IllegalArgumentException("must be the base64 of 32 bytes, not " + key.length
                    + " (generate one with: openssl rand -base64 32)");
        }
        return key;
    }

    private static String redisUrl(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (Exception e) {
            throw new IllegalArgumentException("is not a URL such as redis://host:6379");
        }
        if (!("redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("is not a URL such as redis://host:6379");
        }
        return text;
    }

    private static List<String> cidrs(String text) {
        List<String> result = new ArrayList<>();
        for (String part : text.split(",")) {
            String candidate = part.trim();
            if (!candidate.isEmpty()) {
                Cidr.parse(candidate);
                result.add(candidate);
            }
        }
        return List.copyOf(result);
    }
}
