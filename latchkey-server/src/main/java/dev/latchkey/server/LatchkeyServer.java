package dev.latchkey.server;

import dev.latchkey.core.accounts.AccountService;
import dev.latchkey.core.passwords.CommonPasswords;
import dev.latchkey.core.passwords.PasswordHashing;
import dev.latchkey.core.passwords.PasswordPolicy;
import dev.latchkey.core.sessions.CsrfTokens;
import dev.latchkey.core.sessions.RevocationList;
import dev.latchkey.core.sessions.SessionService;
import dev.latchkey.core.sessions.SuccessorSeal;
import dev.latchkey.core.tokens.AccessTokenIssuer;
import dev.latchkey.core.tokens.AccessTokenVerifier;
import dev.latchkey.core.tokens.KeyRing;
import dev.latchkey.core.tokens.SigningKey;
import dev.latchkey.server.config.LatchkeyConfig;
import dev.latchkey.server.http.HttpApi;
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

    private LatchkeyServer(Database database, Javalin http, ScheduledExecutorService housekeeping) {
        this.database = database;
        this.http = http;
        this.housekeeping = housekeeping;
    }

    public static LatchkeyServer start(LatchkeyConfig config, Clock clock) {
        SecureRandom random = new SecureRandom();
        Database database = Database.open(new DatabaseSettings(config.databaseUrl(), config.dataDirectory(),
                config.databasePoolSize()));
        try {
            SigningKey signingKey = signingKey(config, clock);
            AtomicReference<KeyRing> keyRing = new AtomicReference<>(KeyRing.of(List.of(signingKey)));

            LatchkeyConfig.PasswordSettings pw = config.passwords();
            PasswordHashing hashing = PasswordHashing.configured(pw.algorithm(), pw.argon2MemoryKib(), pw.argon2Iterations(),
                    pw.argon2Parallelism(), pw.bcryptCost(), random);
            PasswordPolicy policy = new PasswordPolicy(pw.minLength(), CommonPasswords.bundled());
            AccountService accounts = new AccountService(database.users(), hashing, policy, clock);

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
            Javalin http = HttpApi.create(new HttpApi.Dependencies(accounts, sessions, issuer, verifier, keyRing::get,
                    config.tokens(), config.allowedOrigins(), config.trustedProxies(), config.cookieSecure(),
                    database::ping, clock, config.demo()));
            http.start(config.port());

            ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "latchkey-housekeeping");
                t.setDaemon(true);
                return t;
            });
            housekeeping.scheduleWithFixedDelay(() -> purge(database, revocations, clock), 1, 10, TimeUnit.MINUTES);

            log.info("Latchkey listening on port {} ({} database, key {}, {} recent revocations loaded)", http.port(),
                    database.engine(), signingKey.kid(), rebuilt);
            return new LatchkeyServer(database, http, housekeeping);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /** Ended sessions are kept a day for the sessions list and audits, then purged in bounded batches. */
    private static void purge(Database database, RevocationList revocations, Clock clock) {
        try {
            Instant before = clock.instant().minus(Duration.ofDays(1));
            int total = 0;
            int purged;
            do {
                purged = database.sessions().purgeEnded(before, PURGE_BATCH);
                total += purged;
            } while (purged == PURGE_BATCH && !Thread.currentThread().isInterrupted());
            int forgotten = revocations.forgetExpired();
            if (total > 0 || forgotten > 0) {
                log.info("housekeeping: purged {} ended sessions, forgot {} expired revocations", total, forgotten);
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

    /** Every route served, as {@code "METHOD /path"}. */
    public List<String> routes() {
        return HttpApi.routes(http);
    }

    public Database database() {
        return database;
    }

    @Override
    public void close() {
        housekeeping.shutdownNow();
        http.stop();
        database.close();
    }
}
