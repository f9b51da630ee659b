package dev.latchkey.server;

import dev.latchkey.core.accounts.AccountRecovery;
import dev.latchkey.core.accounts.AccountService;
import dev.latchkey.core.administration.UserAdministration;
import dev.latchkey.core.errors.ErrorCode;
import dev.latchkey.core.errors.LatchkeyException;
import dev.latchkey.core.passwords.BcryptHasher;
import dev.latchkey.core.passwords.BreachCheck;
import dev.latchkey.core.passwords.CommonPasswords;
import dev.latchkey.core.passwords.HashingPool;
import dev.latchkey.core.passwords.PasswordHashing;
import dev.latchkey.core.passwords.PasswordPolicy;
import dev.latchkey.core.ratelimit.LocalFailureLockout;
import dev.latchkey.core.ratelimit.LocalRateLimiter;
import dev.latchkey.core.ratelimit.FailureLockout;
import dev.latchkey.core.ratelimit.RateLimiter;
import dev.latchkey.core.sessions.CsrfTokens;
import dev.latchkey.core.sessions.RevocationList;
import dev.latchkey.core.sessions.RevocationSync;
import dev.latchkey.core.sessions.SessionService;
import dev.latchkey.core.sessions.SuccessorSeal;
import dev.latchkey.core.tokens.AccessTokenIssuer;
import dev.latchkey.core.tokens.AccessTokenVerifier;
import dev.latchkey.core.tokens.SigningKey;
import dev.latchkey.server.audit.AuditWriter;
import dev.latchkey.server.config.AbuseSettings;
import dev.latchkey.server.config.ConfigException;
import dev.latchkey.server.config.LatchkeyConfig;
import dev.latchkey.server.http.HealthRoutes;
import dev.latchkey.server.http.HttpApi;
import dev.latchkey.server.keys.KeyManager;
import dev.latchkey.server.keys.SignatureProvider;
import dev.latchkey.server.mail.AccountMail;
import dev.latchkey.server.mail.MailTemplates;
import dev.latchkey.server.mail.Outbox;
import dev.latchkey.server.metrics.ActiveSessionsGauge;
import dev.latchkey.server.metrics.LatchkeyMetrics;
import dev.latchkey.server.passwords.PwnedPasswords;
import dev.latchkey.store.Database;
import dev.latchkey.store.DatabaseSettings;
import dev.latchkey.store.redis.Redis;
import dev.latchkey.store.redis.RedisFailureLockout;
import dev.latchkey.store.redis.RedisRateLimiter;
import dev.latchkey.store.redis.RedisRevocations;
import io.javalin.Javalin;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: every moving part of a running Latchkey is created and wired here, by
 * hand, in the order it is needed. Reading {@link #start} tells you what Latchkey is made of.
 */
public final class LatchkeyServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LatchkeyServer.class);
    private static final int PURGE_BATCH = 500;
    private static final Duration ACTIVE_SESSIONS_INTERVAL = Duration.ofSeconds(30);
    /** Advisory-lock id of the purge job on PostgreSQL ("LKpurge" in ASCII): one instance purges at a time. */
    static final long PURGE_LOCK_ID = 0x4c4b7075726765L;
    /** While Redis is down, revocations are read from the database at least this often. */
    private static final Duration SYNC_WITHOUT_REDIS = Duration.ofSeconds(1);

    private final Database database;
    private final Javalin http;
    private final ScheduledExecutorService housekeeping;

    private final KeyManager keys;
    private final HashingPool hashingPool;
    private final AuditWriter audit;
    private final LatchkeyMetrics metrics;
    private final Redis redis;
    private final AccountMail mail;

    private LatchkeyServer(Database database, Javalin http, ScheduledExecutorService housekeeping, KeyManager keys,
                           HashingPool hashingPool, AuditWriter audit, LatchkeyMetrics metrics, Redis redis,
                           AccountMail mail) {
        this.metrics = metrics;
        this.redis = redis;
        this.mail = mail;
        this.database = database;
        this.http = http;
        this.housekeeping = housekeeping;
        this.keys = keys;
        this.hashingPool = hashingPool;
        this.audit = audit;
    }

    /** The provider chosen in the background; its failure (a {@code ConfigException}) is rethrown as it was. */
    private static SignatureProvider.Selected selected(CompletableFuture<SignatureProvider.Selected> loading) {
        try {
            return loading.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    public static LatchkeyServer start(LatchkeyConfig config, Clock clock) {
        // Loading the native signature provider (unpacking and linking its library) takes a few
        // hundred milliseconds: done while the database opens and migrates.
        CompletableFuture<SignatureProvider.Selected> signatureProvider = CompletableFuture.supplyAsync(
                () -> config.signingKey().signatureProvider().select(),
                runnable -> Thread.ofPlatform().name("latchkey-crypto-load").daemon().start(runnable));
        SecureRandom random = new SecureRandom();
        Database database = Database.open(new DatabaseSettings(config.databaseUrl(), config.dataDirectory(),
                config.databasePoolSize()));
        AbuseSettings abuse = config.abuse();
        HashingPool hashingPool = new HashingPool(abuse.hashingThreads(), abuse.hashingQueue(), abuse.hashingMaxWait());
        AuditWriter audit = new AuditWriter(database.audit());
        LatchkeyMetrics metrics = config.operations().metricsEnabled() ? LatchkeyMetrics.create() : null;
        KeyManager keyRing = null;
        Redis redis = null;
        AccountMail mail = null;
        try {
            SignatureProvider.Selected signatures = selected(signatureProvider);
            keyRing = KeyManager.forConfig(database.signingKeys(), config, clock, signatures.provider());
            SigningKey signingKey = keyRing.start(config.signingKey(), config.dataDirectory()).current();
            if (!keyRing.encryptsAtRest() && "postgresql".equals(database.engine())) {
                log.warn("signing keys are stored unencrypted in the database; set LATCHKEY_KEY_ENCRYPTION_KEY to encrypt them");
            }
            keyRing.startRefreshing(config.signingKey().reloadInterval(), config.signingKey().rotationInterval());

            BreachCheck breaches = abuse.hibp().enabled() ? new PwnedPasswords(abuse.hibp()) : BreachCheck.none();
            AccountService accounts = new AccountService(database.users(), passwordHashing(config, random),
                    passwordPolicy(config), hashingPool, breaches, clock);

            byte[] csrfSecret = database.secrets().getOrCreate("csrf-hmac-v1", () -> randomBytes(random, 32));
            Duration revocationMemory = config.tokens().accessTokenTtl().plus(config.tokens().clockLeeway());
            RevocationList revocations = new RevocationList(clock, revocationMemory);
            SessionService sessions = new SessionService(database.sessions(), config.refresh(), new SuccessorSeal(random),
                    new CsrfTokens(csrfSecret), revocations, clock, random);
            RevocationSync revocationSync = new RevocationSync(database.sessions(), database.users(), revocations, clock);
            if (config.redisUrl() != null) {
                // Subscribed before the list is rebuilt from the database: nothing revoked in between is missed.
                redis = Redis.connect(config.redisUrl());
                RedisRevocations.attach(redis, revocations);
            }
            int rebuilt = revocationSync.rebuild();
            UserAdministration administration = new UserAdministration(database.users(), database.sessions(),
                    revocations, clock);

            bootstrapAdmin(config, accounts);

            // Email verification and password reset: tokens in the database, mail off the request thread.
            AccountRecovery recovery = new AccountRecovery(database.users(), database.emailTokens(), accounts, administration,
                    clock, random, config.mail().verificationTtl(), config.mail().resetTtl());
            mail = new AccountMail(recovery, Outbox.create(config.mail(), config.embeddedDatabase(), clock),
                    MailTemplates.load(config.mail().templatesDir()), config.mail());

            AccessTokenIssuer issuer = new AccessTokenIssuer(keyRing, config.tokens(), clock);
            AccessTokenVerifier verifier = new AccessTokenVerifier(keyRing, config.tokens(), clock);
            ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "latchkey-housekeeping");
                t.setDaemon(true);
                return t;
            });
            if (metrics != null) {
                metrics.bindConnectionPool(database);
                ActiveSessionsGauge activeSessions = new ActiveSessionsGauge(
                        () -> database.sessions().countLive(clock.instant()), ACTIVE_SESSIONS_INTERVAL);
                metrics.bindActiveSessions(activeSessions);
                activeSessions.scheduleOn(housekeeping);
                metrics.bindHashingQueue(hashingPool::queueDepth);
            }

            RateLimiter limiter = new LocalRateLimiter(clock);
            LocalFailureLockout localLockout = new LocalFailureLockout(abuse.limits().lockout(), clock);
            FailureLockout lockout = localLockout;
            HealthRoutes.RedisHealth redisHealth = HealthRoutes.RedisHealth.DISABLED;
            if (redis != null) {
                // Shared by every instance; this instance's own counters take over while Redis is down.
                limiter = new RedisRateLimiter(redis, limiter, clock);
                lockout = new RedisFailureLockout(redis, abuse.limits().lockout(), localLockout.forgetAfter(), localLockout);
                Redis connected = redis;
                redisHealth = () -> connected.ping() ? "up" : "down";
            }
            HttpApi.Safeguards safeguards = new HttpApi.Safeguards(limiter, lockout, abuse.limits(), audit, database.audit(),
                    () -> audit.flush(Duration.ofSeconds(5)), abuse.refreshConcurrency());
            Javalin http = HttpApi.create(new HttpApi.Dependencies(accounts, sessions, administration, issuer, verifier, keyRing,
                    config.tokens(), config.allowedOrigins(), config.trustedProxies(), config.cookieSecure(),
                    database::ping, redisHealth, config.operations().shutdownGrace(), clock, safeguards, metrics, config.demo(), mail));
            http.start(config.port());

            housekeeping.scheduleWithFixedDelay(() -> housekeeping(database, revocations, revocationMemory, clock,
                    config.auditRetention()), 1, 10, TimeUnit.MINUTES);
            // Revocations made elsewhere (another instance, `latchkey users ...` on the command line)
            // reach this instance's in-memory list within one interval, whether or not Redis also
            // announced them; within a second while Redis is configured but down.
            scheduleRevocationSync(housekeeping, revocationSync, config.revocationSyncInterval(), redis);

            log.info("Latchkey listening on port {} ({} database, key {} signing with {}, {} recent revocations loaded)",
                    http.port(), database.engine(), signingKey.kid(), signatures.description(), rebuilt);
            return new LatchkeyServer(database, http, housekeeping, keyRing, hashingPool, audit, metrics, redis, mail);
        } catch (RuntimeException e) {
            if (keyRing != null) {
                keyRing.close();
            }
            if (mail != null) {
                mail.close();
            }
            if (redis != null) {
                redis.close();
            }
            audit.close();
            hashingPool.close();
            database.close();
            if (metrics != null) {
                metrics.close();
            }
            throw e;
        }
    }

    /**
     * Creates the bootstrap admin from LATCHKEY_BOOTSTRAP_ADMIN_EMAIL/_PASSWORD when set. A value the
     * account rules refuse stops the start with a configuration error naming the variable (never
     * the password itself).
     */
    private static void bootstrapAdmin(LatchkeyConfig config, AccountService accounts) {
        LatchkeyConfig.BootstrapAdmin admin = config.bootstrapAdmin();
        if (admin == null) {
            return;
        }
        boolean created;
        try {
            created = accounts.ensureAdmin(admin.email(), admin.password());
        } catch (LatchkeyException e) {
            if (e.code() == ErrorCode.VALIDATION_FAILED && e.fields().containsKey("password")) {
                throw new ConfigException("LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD", e.fields().get("password"));
            }
            if (e.code() == ErrorCode.VALIDATION_FAILED && e.fields().containsKey("email")) {
                throw new ConfigException("LATCHKEY_BOOTSTRAP_ADMIN_EMAIL", e.fields().get("email"));
            }
            throw e;
        }
        if (created) {
            log.info("created the bootstrap admin account {}", admin.email());
        } else {
            log.info("bootstrap admin account {} already exists; left unchanged", admin.email());
        }
    }

    /** The password hashing the configuration asks for (the command line's import and create use it too). */
    public static PasswordHashing passwordHashing(LatchkeyConfig config, SecureRandom random) {
        LatchkeyConfig.PasswordSettings pw = config.passwords();
        Logger passwordLog = LoggerFactory.getLogger(BcryptHasher.class);
        return PasswordHashing.configured(pw.algorithm(), pw.argon2MemoryKib(), pw.argon2Iterations(),
                pw.argon2Parallelism(), pw.bcryptCost(), config.abuse().hashingThreads(), random, passwordLog::warn);
    }

    public static PasswordPolicy passwordPolicy(LatchkeyConfig config) {
        return new PasswordPolicy(config.passwords().minLength(), CommonPasswords.bundled());
    }

    /**
     * Reads revocations from the database every {@code interval}, and at least every second while
     * Redis is configured but not connected (its announcements are lost then). When Redis comes
     * back the list is caught up at once, and again a second later for what was announced while
     * the subscription was being restored.
     */
    private static void scheduleRevocationSync(ScheduledExecutorService executor, RevocationSync sync, Duration interval,
                                               Redis redis) {
        long intervalNanos = interval.toNanos();
        long tickMillis = Math.min(interval.toMillis(), SYNC_WITHOUT_REDIS.toMillis());
        long[] lastSync = {System.nanoTime()};
        executor.scheduleWithFixedDelay(() -> {
            boolean due = System.nanoTime() - lastSync[0] >= intervalNanos - TimeUnit.MILLISECONDS.toNanos(tickMillis) / 2;
            if (due || (redis != null && !redis.connected())) {
                lastSync[0] = System.nanoTime();
                syncRevocations(sync);
            }
        }, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
        if (redis != null) {
            redis.onReconnect(() -> {
                executor.execute(() -> syncRevocations(sync));
                executor.schedule(() -> syncRevocations(sync), 1, TimeUnit.SECONDS);
            });
        }
    }

    private static void syncRevocations(RevocationSync sync) {
        try {
            sync.sync();
        } catch (RuntimeException e) {
            log.warn("revocation sync failed, will retry: {}", e.toString());
        }
    }

    /**
     * The periodic housekeeping: this instance forgets its expired revocations, and one instance at
     * a time (a PostgreSQL advisory lock) purges the database.
     */
    static void housekeeping(Database database, RevocationList revocations, Duration revocationMemory, Clock clock,
                             Duration auditRetention) {
        try {
            int forgotten = revocations.forgetExpired();
            if (forgotten > 0) {
                log.debug("housekeeping: forgot {} expired revocations", forgotten);
            }
            if (!database.runExclusively(PURGE_LOCK_ID, () -> purge(database, revocationMemory, clock, auditRetention))) {
                log.debug("housekeeping: another instance is purging the database");
            }
        } catch (RuntimeException e) {
            log.warn("housekeeping failed, will retry: {}", e.toString());
        }
    }

    /**
     * Ended sessions are kept a day for the sessions list and audits, then purged in bounded
     * batches; audit events older than the retention likewise.
     */
    static void purge(Database database, Duration revocationMemory, Clock clock, Duration auditRetention) {
        try {
            Instant before = clock.instant().minus(Duration.ofDays(1));
            int total = 0;
            int purged;
            do {
                purged = database.sessions().purgeEnded(before, PURGE_BATCH);
                total += purged;
            } while (purged == PURGE_BATCH && !Thread.currentThread().isInterrupted());
            // a deletion record only has to outlive the deleted user's tokens (and the sync margin)
            database.users().purgeDeletionRecords(clock.instant().minus(revocationMemory).minus(RevocationSync.MARGIN));
            while (database.emailTokens().purgeExpired(clock.instant(), PURGE_BATCH) == PURGE_BATCH
                    && !Thread.currentThread().isInterrupted()) {
                // expired mailed tokens, in bounded batches
            }
            Instant auditBefore = clock.instant().minus(auditRetention);
            int auditPurged = 0;
            do {
                purged = database.audit().purgeBefore(auditBefore, PURGE_BATCH);
                auditPurged += purged;
            } while (purged == PURGE_BATCH && !Thread.currentThread().isInterrupted());
            if (total > 0 || auditPurged > 0) {
                log.info("housekeeping: purged {} ended sessions and {} audit events", total, auditPurged);
            }
        } catch (RuntimeException e) {
            log.warn("housekeeping failed, will retry: {}", e.toString());
        }
    }

    private static byte[] randomBytes(SecureRandom random, int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    public int port() {
        return http.port();
    }

    /** Every route served, as {@code "METHOD /path"}. */
    public List<String> routes() {
        return HttpApi.routes(http);
    }

    public Database database() {
        return database;
    }

    /** The signing keys (for tests and operations: rotate, reload). */
    public KeyManager keys() {
        return keys;
    }

    /** Null when metrics are turned off. */
    public LatchkeyMetrics metrics() {
        return metrics;
    }

    /** The password-hashing pool (its queue depth is a metric). */
    public HashingPool hashingPool() {
        return hashingPool;
    }

    /** Email verification and password reset, with the mail outbox. */
    public AccountMail mail() {
        return mail;
    }

    /** The audit trail's writer (its queue depth and dropped rows are metrics). */
    public AuditWriter audit() {
        return audit;
    }

    /** Redis, when configured (null otherwise). */
    public Redis redis() {
        return redis;
    }

    /**
     * Stops gracefully: the HTTP server stops accepting and lets requests in flight finish (up
     * to LATCHKEY_SHUTDOWN_GRACE), then background jobs stop, the audit writer is flushed, and
     * the Redis and database connections are closed.
     */
    @Override
    public void close() {
        http.stop();
        housekeeping.shutdownNow();
        keys.close();
        mail.close();
        hashingPool.close();
        audit.close();
        if (redis != null) {
            redis.close();
        }
        database.close();
        if (metrics != null) {
            metrics.close();
        }
    }
}
