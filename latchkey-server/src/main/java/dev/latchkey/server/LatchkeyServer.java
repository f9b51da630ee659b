package dev.latchkey.server;

import dev.latchkey.core.accounts.AccountService;
import dev.latchkey.core.passwords.BreachCheck;
import dev.latchkey.core.passwords.CommonPasswords;
import dev.latchkey.core.passwords.HashingPool;
import dev.latchkey.core.passwords.PasswordHashing;
import dev.latchkey.core.passwords.PasswordPolicy;
import dev.latchkey.core.ratelimit.LocalFailureLockout;
import dev.latchkey.core.ratelimit.LocalRateLimiter;
import dev.latchkey.core.sessions.CsrfTokens;
import dev.latchkey.core.sessions.RevocationList;
import dev.latchkey.core.sessions.SessionService;
import dev.latchkey.core.sessions.SuccessorSeal;
import dev.latchkey.core.tokens.AccessTokenIssuer;
import dev.latchkey.core.tokens.AccessTokenVerifier;
import dev.latchkey.core.tokens.KeyRing;
import dev.latchkey.core.tokens.SigningKey;
import dev.latchkey.server.audit.AuditWriter;
import dev.latchkey.server.config.AbuseSettings;
import dev.latchkey.server.config.LatchkeyConfig;
import dev.latchkey.server.http.HttpApi;
import dev.latchkey.server.passwords.PwnedPasswords;
import dev.latchkey.server.keys.SigningKeySource;
import dev.latchkey.store.Database;
import dev.latchkey.store.DatabaseSettings;
import io.javalin.Javalin;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: every moving part of a running Latchkey is created and wired here, by
 * hand, in the order it is needed. Reading {@link #start} tells you what Latchkey is made of.
 */
public final class LatchkeyServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LatchkeyServer.class);
    private static final int PURGE_BATCH = 500;

    private final Database database;
    private final Javalin http;
    private final ScheduledExecutorService housekeeping;
    private final HashingPool hashingPool;
    private final AuditWriter audit;

    private LatchkeyServer(Database database, Javalin http, ScheduledExecutorService housekeeping, HashingPool hashingPool,
                           AuditWriter audit) {
        this.database = database;
        this.http = http;
        this.housekeeping = housekeeping;
        this.hashingPool = hashingPool;
        this.audit = audit;
    }

    public static LatchkeyServer start(LatchkeyConfig config, Clock clock) {
        SecureRandom random = new SecureRandom();
        Database database = Database.open(new DatabaseSettings(config.databaseUrl(), config.dataDirectory(),
                config.databasePoolSize()));
        AbuseSettings abuse = config.abuse();
        HashingPool hashingPool = new HashingPool(abuse.hashingThreads(), abuse.hashingQueue());
        AuditWriter audit = new AuditWriter(database.audit());
        try {
            SigningKey signingKey = signingKey(config, clock);
            AtomicReference<KeyRing> keyRing = new AtomicReference<>(KeyRing.of(List.of(signingKey)));

            LatchkeyConfig.PasswordSettings pw = config.passwords();
            PasswordHashing hashing = PasswordHashing.configured(pw.algorithm(), pw.argon2MemoryKib(), pw.argon2Iterations(),
                    pw.argon2Parallelism(), pw.bcryptCost(), random);
            PasswordPolicy policy = new PasswordPolicy(pw.minLength(), CommonPasswords.bundled());
            BreachCheck breaches = abuse.hibp().enabled() ? new PwnedPasswords(abuse.hibp()) : BreachCheck.none();
            AccountService accounts = new AccountService(database.users(), hashing, policy, hashingPool, breaches, clock);

            byte[] csrfSecret = database.secrets().getOrCreate("csrf-hmac-v1", () -> randomBytes(random, 32));
            Duration revocationMemory = config.tokens().accessTokenTtl().plus(config.tokens().clockLeeway());
            RevocationList revocations = new RevocationList(clock, revocationMemory);
            SessionService sessions = new SessionService(database.sessions(), config.refresh(), new SuccessorSeal(random),
                    new CsrfTokens(csrfSecret), revocations, clock, random);
            int rebuilt = sessions.rebuildRevocations();

            if (config.bootstrapAdmin() != null && accounts.ensureAdmin(config.bootstrapAdmin().email(),
                    config.bootstrapAdmin().password())) {
                log.info("created the bootstrap admin account {}", config.bootstrapAdmin().email());
            }

            AccessTokenIssuer issuer = new AccessTokenIssuer(keyRing::get, config.tokens(), clock);
            AccessTokenVerifier verifier = new AccessTokenVerifier(keyRing::get, config.tokens(), clock);
            HttpApi.Safeguards safeguards = new HttpApi.Safeguards(new LocalRateLimiter(clock),
                    new LocalFailureLockout(abuse.limits().lockout(), clock), abuse.limits(), audit, database.audit(),
                    () -> audit.flush(Duration.ofSeconds(5)));
            Javalin http = HttpApi.create(new HttpApi.Dependencies(accounts, sessions, issuer, verifier, keyRing::get,
                    config.tokens(), config.allowedOrigins(), config.trustedProxies(), config.cookieSecure(),
                    database::ping, clock, safeguards));
            http.start(config.port());

            ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "latchkey-housekeeping");
                t.setDaemon(true);
                return t;
            });
            housekeeping.scheduleWithFixedDelay(() -> purge(database, revocations, clock, config.auditRetention()), 1, 10,
                    TimeUnit.MINUTES);

            log.info("Latchkey listening on port {} ({} database, key {}, {} recent revocations loaded)", http.port(),
                    database.engine(), signingKey.kid(), rebuilt);
            return new LatchkeyServer(database, http, housekeeping, hashingPool, audit);
        } catch (RuntimeException e) {
            audit.close();
            hashingPool.close();
            database.close();
            throw e;
        }
    }

    /**
     * Ended sessions are kept a day for the sessions list and audits, then purged in bounded
     * batches; audit events older than the retention likewise.
     */
    static void purge(Database database, RevocationList revocations, Clock clock, Duration auditRetention) {
        try {
            Instant before = clock.instant().minus(Duration.ofDays(1));
            int total = 0;
            int purged;
            do {
                purged = database.sessions().purgeEnded(before, PURGE_BATCH);
                total += purged;
            } while (purged == PURGE_BATCH && !Thread.currentThread().isInterrupted());
            int forgotten = revocations.forgetExpired();
            Instant auditBefore = clock.instant().minus(auditRetention);
            int auditPurged = 0;
            do {
                purged = database.audit().purgeBefore(auditBefore, PURGE_BATCH);
                auditPurged += purged;
            } while (purged == PURGE_BATCH && !Thread.currentThread().isInterrupted());
            if (total > 0 || forgotten > 0 || auditPurged > 0) {
                log.info("housekeeping: purged {} ended sessions and {} audit events, forgot {} expired revocations", total,
                        auditPurged, forgotten);
            }
        } catch (RuntimeException e) {
            log.warn("housekeeping failed, will retry: {}", e.toString());
        }
    }

    private static SigningKey signingKey(LatchkeyConfig config, Clock clock) {
        LatchkeyConfig.SigningKeySettings keys = config.signingKey();
        if (keys.pemFile() != null) {
            return SigningKeySource.fromPemFile(keys.pemFile(), clock.instant());
        }
        if (keys.pem() != null) {
            return SigningKeySource.fromPem(keys.pem(), clock.instant());
        }
        return SigningKeySource.loadOrGenerateDevKey(config.dataDirectory(), clock);
    }

    private static byte[] randomBytes(SecureRandom random, int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    public int port() {
        return http.port();
    }

    public Database database() {
        return database;
    }

    /** The password-hashing pool (its queue depth is a metric). */
    public HashingPool hashingPool() {
        return hashingPool;
    }

    /** The audit trail's writer (its queue depth and dropped rows are metrics). */
    public AuditWriter audit() {
        return audit;
    }

    @Override
    public void close() {
        housekeeping.shutdownNow();
        http.stop();
        hashingPool.close();
        audit.close();
        database.close();
    }
}
