package dev.latchkey.server.config;

import dev.latchkey.core.ratelimit.AbuseLimits;
import dev.latchkey.core.ratelimit.LockoutPolicy;
import dev.latchkey.core.ratelimit.RateLimit;
import java.time.Duration;

/**
 * Abuse resistance: the rate limits and the login lockout, the password-hashing pool, and the
 * optional Have I Been Pwned check of new passwords.
 *
 * @param hashingThreads threads hashing passwords (default: the machine's cores)
 * @param hashingQueue hashing jobs that may wait for a thread before new ones get 503 (default 32 per thread)
 * @param hashingMaxWait the longest a hashing job is expected to wait for a thread before it gets
 *                       503 instead (default 1 s; zero: only the queue's capacity bounds the wait)
 * @param refreshConcurrency refreshes worked on at once, the others waiting in arrival order
 *                           (default 4 per core; zero: no limit)
 */
public record AbuseSettings(AbuseLimits limits, int hashingThreads, int hashingQueue, Duration hashingMaxWait,
                            int refreshConcurrency, Hibp hibp) {

    /** The range API's location, how long to wait for it, and what to do when it does not answer. */
    public record Hibp(boolean enabled, String url, Duration timeout, boolean failOpen) {}

    static AbuseSettings read(EnvReader env) {
        AbuseLimits limits = new AbuseLimits(
                rate(env, "LATCHKEY_RATE_LIMIT_LOGIN_PER_IP", "login-ip", "20/1m"),
                rate(env, "LATCHKEY_RATE_LIMIT_LOGIN_PER_ACCOUNT", "login-account", "10/1m"),
                rate(env, "LATCHKEY_RATE_LIMIT_REGISTER_PER_IP", "register-ip", "20/1h"),
                rate(env, "LATCHKEY_RATE_LIMIT_REGISTER_PER_ACCOUNT", "register-account", "5/1h"),
                rate(env, "LATCHKEY_RATE_LIMIT_REFRESH_PER_IP", "refresh-ip", "600/1m"),
                rate(env, "LATCHKEY_RATE_LIMIT_REFRESH_PER_SESSION", "refresh-session", "30/1m"),
                rate(env, "LATCHKEY_RATE_LIMIT_PASSWORD_PER_USER", "password-user", "5/15m"),
                new LockoutPolicy(
                        env.integer("LATCHKEY_LOGIN_LOCKOUT_THRESHOLD", 5, 1, 1000),
                        Duration.ofSeconds(1),
                        env.duration("LATCHKEY_LOGIN_LOCKOUT_MAX", Duration.ofMinutes(15), Duration.ofSeconds(1),
                                Duration.ofDays(1))));
        int cores = Runtime.getRuntime().availableProcessors();
        int threads = env.integer("LATCHKEY_HASHING_THREADS", cores, 1, 1024);
        int queue = env.integer("LATCHKEY_HASHING_QUEUE", 32 * threads, 1, 1_000_000);
        Duration maxWait = env.duration("LATCHKEY_HASHING_MAX_WAIT", Duration.ofSeconds(1), Duration.ZERO,
                Duration.ofMinutes(10));
        int refreshConcurrency = env.integer("LATCHKEY_REFRESH_CONCURRENCY", 4 * cores, 0, 100_000);
        Hibp hibp = new Hibp(
                env.bool("LATCHKEY_HIBP_ENABLED", false),
                env.httpUrl("LATCHKEY_HIBP_URL", "https://api.pwnedpasswords.com/range/"),
                env.duration("LATCHKEY_HIBP_TIMEOUT", Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofSeconds(30)),
                env.bool("LATCHKEY_HIBP_FAIL_OPEN", true));
        return new AbuseSettings(limits, threads, queue, maxWait, refreshConcurrency, hibp);
    }

    /** {@code N/PERIOD}: at most N per period, e.g. {@code 20/1m}, {@code 5/15m}, {@code 100/h}. */
    private static RateLimit rate(EnvReader env, String variable, String name, String fallback) {
        return env.parsed(variable, parseRate(name, fallback), text -> parseRate(name, text));
    }

    static RateLimit parseRate(String name, String text) {
        int slash = text.indexOf('/');
        String problem = "'" + text + "' is not a rate such as 20/1m (at most N per period)";
        if (slash <= 0 || slash == text.length() - 1) {
            throw new IllegalArgumentException(problem);
        }
        long count;
        try {
            count = Long.parseLong(text.substring(0, slash).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(problem);
        }
        String periodText = text.substring(slash + 1).trim();
        Duration period = Durations.parse(Character.isDigit(periodText.charAt(0)) || periodText.startsWith("P")
                || periodText.startsWith("p") ? periodText : "1" + periodText);
        if (count < 1 || count > 1_000_000_000L) {
            throw new IllegalArgumentException("'" + text + "': the count is out of range (1 to 1000000000)");
        }
        if (period.compareTo(Duration.ofSeconds(1)) < 0 || period.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("'" + text + "': the period is out of range (1 s to 1 day)");
        }
        return new RateLimit(name, count, period);
    }
}
