package dev.latchkey.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.server.keys.SignatureProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LatchkeyConfigTest {

    private static LatchkeyConfig config(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return LatchkeyConfig.from(env);
    }

    @Test
    void defaultsAreTheContracts() {
        LatchkeyConfig c = config();

        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.tokens().issuer()).isEqualTo("http://localhost:8080");
        assertThat(c.tokens().audience()).isEqualTo("latchkey");
        assertThat(c.tokens().clientId()).isEqualTo("latchkey-web");
        assertThat(c.tokens().accessTokenTtl()).isEqualTo(Duration.ofMinutes(15));
        assertThat(c.tokens().clockLeeway()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.refresh().idleTtl()).isEqualTo(Duration.ofDays(7));
        assertThat(c.refresh().absoluteMaxAge()).isEqualTo(Duration.ofDays(30));
        assertThat(c.refresh().reuseGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.allowedOrigins()).containsExactly("http://localhost:8080");
        assertThat(c.cookieSecure()).isTrue();
        assertThat(c.passwords()).isEqualTo(new LatchkeyConfig.PasswordSettings(15, "argon2id", 19456, 2, 1, 12));
        assertThat(c.embeddedDatabase()).isTrue();
        assertThat(c.databaseUrl()).isNull();
        assertThat(c.dataDirectory()).isEqualTo(Path.of("data"));
        assertThat(c.databasePoolSize()).isEqualTo(10);
        assertThat(c.redisUrl()).isNull();
        assertThat(c.signingKey().generated()).isTrue();
        assertThat(c.signingKey().signatureProvider()).isEqualTo(SignatureProvider.AUTO);
        assertThat(c.bootstrapAdmin()).isNull();
        assertThat(c.trustedProxies()).isEmpty();
        assertThat(c.demo()).isTrue();
        assertThat(c.unknownVariables()).isEmpty();
    }

    @Test
    void issuerAndAllowedOriginsFollowThePort() {
        LatchkeyConfig c = config("PORT", "9090");

        assertThat(c.port()).isEqualTo(9090);
        assertThat(c.tokens().issuer()).isEqualTo("http://localhost:9090");
        assertThat(c.allowedOrigins()).containsExactly("http://localhost:9090");
    }

    @Test
    void allowedOriginsDefaultToTheIssuersOrigin() {
        LatchkeyConfig c = config("LATCHKEY_ISSUER", "https://Auth.Example.com:443/latchkey");

        assertThat(c.tokens().issuer()).isEqualTo("https://Auth.Example.com:443/latchkey");
        assertThat(c.allowedOrigins()).containsExactly("https://auth.example.com");
    }

    @Test
    void allowedOriginsAreNormalized() {
        LatchkeyConfig c = config("LATCHKEY_ALLOWED_ORIGINS", " https://App.example.com:443 , http://localhost:3000/ ,");

        assertThat(c.allowedOrigins()).containsExactly("https://app.example.com", "http://localhost:3000");
    }

    @Test
    void demoIsOffWithADatabaseUrl() {
        LatchkeyConfig c = config("LATCHKEY_DATABASE_URL", "postgres://u:p@db:5432/latchkey");

        assertThat(c.embeddedDatabase()).isFalse();
        assertThat(c.demo()).isFalse();
        assertThat(config("LATCHKEY_DATABASE_URL", "postgres://u:p@db/l", "LATCHKEY_DEMO", "true").demo()).isTrue();
        assertThat(config("LATCHKEY_DEMO", "false").demo()).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
        "500ms, PT0.5S",
        "30s,   PT30S",
        "15m,   PT15M",
        "12h,   PT12H",
        "7d,    PT168H",
        "PT15M, PT15M",
        "pt2m,  PT2M",
        "P1D,   PT24H",
    })
    void everyDurationForm(String text, String expected) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.parse(expected));
    }

    @Test
    void durationsReachTheirVariables() {
        LatchkeyConfig c = config(
                "LATCHKEY_ACCESS_TOKEN_TTL", "30s",
                "LATCHKEY_CLOCK_LEEWAY", "500ms",
                "LATCHKEY_REFRESH_TOKEN_TTL", "12h",
                "LATCHKEY_SESSION_MAX_AGE", "7d",
                "LATCHKEY_REFRESH_REUSE_GRACE", "PT15S");

        assertThat(c.tokens().accessTokenTtl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.tokens().clockLeeway()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.refresh().idleTtl()).isEqualTo(Duration.ofHours(12));
        assertThat(c.refresh().absoluteMaxAge()).isEqualTo(Duration.ofDays(7));
        assertThat(c.refresh().reuseGrace()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void explicitValuesAreRead() {
        LatchkeyConfig c = config(
                "LATCHKEY_PASSWORD_MIN_LENGTH", "8",
                "LATCHKEY_PASSWORD_HASH", "BCrypt",
                "LATCHKEY_BCRYPT_COST", "13",
                "LATCHKEY_COOKIE_SECURE", "false",
                "LATCHKEY_TRUSTED_PROXIES", "10.0.0.0/8, ::1/128,192.168.1.1",
                "LATCHKEY_REDIS_URL", "redis://cache:6379",
                "LATCHKEY_SIGNING_KEY_FILE", "/run/secrets/key.pem",
                "LATCHKEY_BOOTSTRAP_ADMIN_EMAIL", "admin@example.com",
                "LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD", " spaces kept at both ends ",
                "LATCHKEY_CRYPTO_PROVIDER", "JDK");

        assertThat(c.signingKey().signatureProvider()).isEqualTo(SignatureProvider.JDK);
        assertThat(c.passwords().minLength()).isEqualTo(8);
        assertThat(c.passwords().algorithm()).isEqualTo("bcrypt");
        assertThat(c.passwords().bcryptCost()).isEqualTo(13);
        assertThat(c.cookieSecure()).isFalse();
        assertThat(c.trustedProxies()).containsExactly("10.0.0.0/8", "::1/128", "192.168.1.1");
        assertThat(c.redisUrl()).isEqualTo("redis://cache:6379");
        assertThat(c.signingKey().pemFile()).isEqualTo(Path.of("/run/secrets/key.pem"));
        assertThat(c.signingKey().generated()).isFalse();
        assertThat(c.bootstrapAdmin().email()).isEqualTo("admin@example.com");
        assertThat(c.bootstrapAdmin().password()).isEqualTo(" spaces kept at both ends ");
    }

    @Test
    void abuseDefaultsAndExplicitValues() {
        LatchkeyConfig d = config();
        var limits = d.abuse().limits();
        assertThat(limits.loginPerIp()).isEqualTo(new dev.latchkey.core.ratelimit.RateLimit("login-ip", 20, Duration.ofMinutes(1)));
        assertThat(limits.loginPerAccount().describe()).isEqualTo("10/PT1M");
        assertThat(limits.registerPerIp().describe()).isEqualTo("20/PT1H");
        assertThat(limits.registerPerAccount().describe()).isEqualTo("5/PT1H");
        assertThat(limits.refreshPerIp().describe()).isEqualTo("600/PT1M");
        assertThat(limits.refreshPerSession().describe()).isEqualTo("30/PT1M");
        assertThat(limits.passwordChangePerUser().describe()).isEqualTo("5/PT15M");
        assertThat(limits.lockout()).isEqualTo(new dev.latchkey.core.ratelimit.LockoutPolicy(5, Duration.ofSeconds(1),
                Duration.ofMinutes(15)));
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(d.abuse().hashingThreads()).isEqualTo(cores);
        assertThat(d.abuse().hashingQueue()).isEqualTo(32 * cores);
        assertThat(d.abuse().refreshConcurrency()).isEqualTo(4 * cores);
        assertThat(d.abuse().hibp()).isEqualTo(new AbuseSettings.Hibp(false, "https://api.pwnedpasswords.com/range/",
                Duration.ofSeconds(2), true));
        assertThat(d.auditRetention()).isEqualTo(Duration.ofDays(90));

        LatchkeyConfig c = config("LATCHKEY_RATE_LIMIT_LOGIN_PER_IP", "100/h", "LATCHKEY_RATE_LIMIT_REFRESH_PER_SESSION",
                " 7 / 30s ", "LATCHKEY_HASHING_THREADS", "3", "LATCHKEY_HIBP_ENABLED", "true", "LATCHKEY_HIBP_FAIL_OPEN",
                "false", "LATCHKEY_AUDIT_RETENTION", "365d", "LATCHKEY_LOGIN_LOCKOUT_MAX", "1h",
                "LATCHKEY_REFRESH_CONCURRENCY", "0");
        assertThat(c.abuse().refreshConcurrency()).isZero();
        assertThat(c.abuse().limits().loginPerIp().describe()).isEqualTo("100/PT1H");
        assertThat(c.abuse().limits().refreshPerSession().describe()).isEqualTo("7/PT30S");
        assertThat(c.abuse().hashingQueue()).isEqualTo(96);
        assertThat(c.abuse().hibp().enabled()).isTrue();
        assertThat(c.abuse().hibp().failOpen()).isFalse();
        assertThat(c.auditRetention()).isEqualTo(Duration.ofDays(365));
        assertThat(c.abuse().limits().lockout().max()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void blankValuesMeanUnset() {
        LatchkeyConfig c = config("PORT", "  ", "LATCHKEY_ACCESS_TOKEN_TTL", "");

        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.tokens().accessTokenTtl()).isEqualTo(Duration.ofMinutes(15));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "PORT                              | abc                 | not a whole number",
        "PORT                              | 70000               | out of range",
        "PORT                              | -1                  | out of range",
        "LATCHKEY_ACCESS_TOKEN_TTL         | 15x                 | not a duration",
        "LATCHKEY_ACCESS_TOKEN_TTL         | 500ms               | out of range",
        "LATCHKEY_ACCESS_TOKEN_TTL         | 2d                  | out of range",
        "LATCHKEY_REFRESH_REUSE_GRACE      | 0s                  | out of range",
        "LATCHKEY_CLOCK_LEEWAY             | -PT1S               | out of range",
        "LATCHKEY_ISSUER                   | ftp://x             | http or https",
        "LATCHKEY_ISSUER                   | localhost:8080      | http or https",
        "LATCHKEY_ISSUER                   | https://a.com/?x=1  | without query",
        "LATCHKEY_ALLOWED_ORIGINS          | *                   | not allowed",
        "LATCHKEY_ALLOWED_ORIGINS          | null                | not allowed",
        "LATCHKEY_ALLOWED_ORIGINS          | https://a.com, null | not allowed",
        "LATCHKEY_ALLOWED_ORIGINS          | https://a.com/path  | not an origin",
        "LATCHKEY_ALLOWED_ORIGINS          | a.com               | not an origin",
        "LATCHKEY_ALLOWED_ORIGINS          | ' , '               | lists no origin",
        "LATCHKEY_PASSWORD_MIN_LENGTH      | 7                   | out of range",
        "LATCHKEY_PASSWORD_HASH            | md5                 | not supported",
        "LATCHKEY_CRYPTO_PROVIDER          | openssl             | use auto, native or jdk",
        "LATCHKEY_BCRYPT_COST              | 9                   | out of range",
        "LATCHKEY_ARGON2_MEMORY_KIB        | 1024                | out of range",
        "LATCHKEY_DATABASE_POOL_SIZE       | 0                   | out of range",
        "LATCHKEY_TRUSTED_PROXIES          | 10.0.0.0/99         | bad prefix length",
        "LATCHKEY_TRUSTED_PROXIES          | 10.0.0.0/x          | bad prefix length",
        "LATCHKEY_TRUSTED_PROXIES          | example.com         | not an IP address",
        "LATCHKEY_TRUSTED_PROXIES          | dead.beef           | not an IP address",
        "LATCHKEY_TRUSTED_PROXIES          | 10.1                | not an IP address",
        "LATCHKEY_TRUSTED_PROXIES          | 2130706433          | not an IP address",
        "LATCHKEY_TRUSTED_PROXIES          | 010.0.0.1           | not an IP address",
        "LATCHKEY_TRUSTED_PROXIES          | 1:2                 | not an IP address",
        "LATCHKEY_REDIS_URL                | http://x            | redis://",
        "LATCHKEY_COOKIE_SECURE            | maybe               | not a boolean",
        "LATCHKEY_DEMO                     | sometimes           | not a boolean",
        "LATCHKEY_RATE_LIMIT_LOGIN_PER_IP  | 20                  | not a rate",
        "LATCHKEY_RATE_LIMIT_LOGIN_PER_IP  | x/1m                | not a rate",
        "LATCHKEY_RATE_LIMIT_LOGIN_PER_IP  | 0/1m                | out of range",
        "LATCHKEY_RATE_LIMIT_LOGIN_PER_IP  | 20/2d               | out of range",
        "LATCHKEY_RATE_LIMIT_REFRESH_PER_IP| 20/soon             | not a duration",
        "LATCHKEY_LOGIN_LOCKOUT_THRESHOLD  | 0                   | out of range",
        "LATCHKEY_LOGIN_LOCKOUT_MAX        | 2d                  | out of range",
        "LATCHKEY_HASHING_THREADS          | 0                   | out of range",
        "LATCHKEY_HASHING_QUEUE            | -1                  | out of range",
        "LATCHKEY_REFRESH_CONCURRENCY      | -1                  | out of range",
        "LATCHKEY_REFRESH_CONCURRENCY      | many                | not a",
        "LATCHKEY_HIBP_URL                 | ftp://x/range/      | http or https",
        "LATCHKEY_HIBP_TIMEOUT             | 1m                  | out of range",
        "LATCHKEY_HIBP_FAIL_OPEN           | perhaps             | not a boolean",
        "LATCHKEY_AUDIT_RETENTION          | 1h                  | out of range",
    })
    void badValuesNameTheVariableAndTheProblem(String variable, String value, String problem) {
        assertThatThrownBy(() -> config(variable, value))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(variable + ": ")
                .hasMessageContaining(problem)
                .message().doesNotContain("\n");
    }

    @Test
    void refreshLifetimeLongerThanTheMaximumAgeIsRefused() {
        assertThatThrownBy(() -> config("LATCHKEY_REFRESH_TOKEN_TTL", "31d"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("LATCHKEY_REFRESH_TOKEN_TTL: ")
                .hasMessageContaining("LATCHKEY_SESSION_MAX_AGE");
        assertThatThrownBy(() -> config("LATCHKEY_SESSION_MAX_AGE", "1d"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("LATCHKEY_REFRESH_TOKEN_TTL: ")
                .hasMessageContaining("must not be longer than LATCHKEY_SESSION_MAX_AGE");
    }

    @Test
    void theBootstrapAdminNeedsBothHalvesAndTheMessageNamesTheMissingOne() {
        assertThatThrownBy(() -> config("LATCHKEY_BOOTSTRAP_ADMIN_EMAIL", "admin@example.com"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD: must be set together with LATCHKEY_BOOTSTRAP_ADMIN_EMAIL");
        assertThatThrownBy(() -> config("LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD", "correct horse battery staple"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("LATCHKEY_BOOTSTRAP_ADMIN_EMAIL: must be set together with LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD");
    }

    @Test
    void aSigningKeyComesFromOnePlace() {
        assertThatThrownBy(() -> config("LATCHKEY_SIGNING_KEY", "-----BEGIN PRIVATE KEY-----",
                "LATCHKEY_SIGNING_KEY_FILE", "/run/secrets/key.pem"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("LATCHKEY_SIGNING_KEY: ")
                .hasMessageContaining("not both")
                .message().doesNotContain("BEGIN PRIVATE KEY");
    }

    @Test
    void unknownLatchkeyVariablesAreReportedAndKnownOnesAreNot() {
        LatchkeyConfig c = config(
                "LATCHKEY_ACESS_TOKEN_TTL", "5m",
                "LATCHKEY_NOPE", "1",
                "LATCHKEY_ACCESS_TOKEN_TTL", "5m",
                "LATCHKEY_JAVA_OPTS", "-Xmx256m",
                "LATCHKEY_DEMO", "false",
                "HOME", "/root",
                "PORT", "8081");

        assertThat(c.unknownVariables()).containsExactly("LATCHKEY_ACESS_TOKEN_TTL", "LATCHKEY_NOPE");
    }

    @Test
    void theBootstrapAdminNeverShowsItsPassword() {
        LatchkeyConfig c = config("LATCHKEY_BOOTSTRAP_ADMIN_EMAIL", "admin@example.com",
                "LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD", "hunter2-but-much-longer");

        assertThat(c.bootstrapAdmin().toString()).contains("admin@example.com").doesNotContain("hunter2");
        assertThat(c.toString()).doesNotContain("hunter2");
    }

    @Test
    void theSigningKeyIsNeverShown() {
        LatchkeyConfig c = config("LATCHKEY_SIGNING_KEY", "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----");

        assertThat(c.signingKey().pem()).contains("MIIEvQIBADANBg");
        assertThat(c.signingKey().toString()).doesNotContain("MIIEvQIBADANBg");
        assertThat(c.toString()).doesNotContain("MIIEvQIBADANBg");
    }

    @Test
    void theReadmeTableListsExactlyTheVariablesLatchkeyReads() throws IOException {
        Set<String> documented = readmeVariables(repositoryRoot().resolve("README.md"));

        assertThat(documented).as("variables in README.md's configuration table")
                .containsExactlyInAnyOrderElementsOf(LatchkeyConfig.variables());
    }

    @Test
    void theConfigurationReferenceListsExactlyTheVariablesLatchkeyReads() throws IOException {
        Set<String> documented = tableVariables(repositoryRoot().resolve("docs/configuration.md"), "# Configuration reference");

        assertThat(documented).as("variables in docs/configuration.md's tables")
                .containsExactlyInAnyOrderElementsOf(LatchkeyConfig.variables());
    }

    @Test
    void everyVariableIsAskedForWithAnEmptyEnvironment() {
        assertThat(LatchkeyConfig.variables())
                .contains("PORT", "LATCHKEY_DATABASE_URL", "LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD", "LATCHKEY_SIGNING_KEY",
                        "LATCHKEY_DEMO", "LATCHKEY_JAVA_OPTS")
                .allMatch(name -> name.equals("PORT") || name.startsWith("LATCHKEY_"));
    }

    /** The backticked names in the first column of the table under "## Configuration". */
    private static Set<String> readmeVariables(Path readme) throws IOException {
        return tableVariables(readme, "## Configuration");
    }

    /**
     * The backticked names in the first column of the tables under {@code heading}, up to the
     * next heading of the same level (tables under deeper headings count).
     */
    private static Set<String> tableVariables(Path file, String heading) throws IOException {
        List<String> lines = Files.readAllLines(file);
        int start = lines.indexOf(heading);
        assertThat(start).as(file.getFileName() + " has a '" + heading + "' section").isNotNegative();
        String sameLevel = heading.substring(0, heading.indexOf(' ') + 1);
        Set<String> names = new TreeSet<>();
        Pattern backticked = Pattern.compile("`([^`]+)`");
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith(sameLevel)) {
                break;
            }
            if (!line.startsWith("|") || line.startsWith("|---") || line.startsWith("| variable ")) {
                continue;
            }
            String firstColumn = line.substring(1, line.indexOf('|', 1));
            Matcher m = backticked.matcher(firstColumn);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        assertThat(names).as("variables found in " + file.getFileName()).isNotEmpty();
        return names;
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isRegularFile(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no README.md next to mvnw above " + Path.of("").toAbsolutePath());
    }
}
