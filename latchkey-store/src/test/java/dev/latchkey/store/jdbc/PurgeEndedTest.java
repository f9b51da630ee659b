package dev.latchkey.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.accounts.User;
import dev.latchkey.core.sessions.Session;
import dev.latchkey.core.sessions.SessionStore;
import dev.latchkey.store.Database;
import dev.latchkey.store.DatabaseSettings;
import dev.latchkey.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SessionStore#purgeEnded}: sessions that ended (idle expiry, absolute expiry or
 * revocation) before the cutoff go, in bounded batches, together with every hash they ever
 * had; live sessions and sessions that ended at or after the cutoff stay. On both engines.
 */
class PurgeEndedTest {
    private static final Instant CUTOFF = Instant.parse("2030-01-10T00:00:00Z");
    private static final Duration DAY = Duration.ofDays(1);

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void purgesOnlySessionsThatEndedBeforeTheCutoffWithTheirHashes(String engine) throws Exception {
        Path dataDirectory = Files.createTempDirectory("latchkey-store-test");
        String url = engine.equals("postgresql") ? PostgresServer.shared().createDatabase() : null;
        try (Database database = Database.open(new DatabaseSettings(url, dataDirectory, 4))) {
            SessionStore sessions = database.sessions();
            String userId = UUID.randomUUID().toString();
            database.users().insert(new User(userId, userId + "@example.com", "user", "$argon2id$x", CUTOFF.minus(DAY.multipliedBy(60)), null));

            List<String> ended = new ArrayList<>();
            List<String> kept = new ArrayList<>();
            // ended before the cutoff
            ended.add(insert(sessions, userId, CUTOFF.minusMillis(1), CUTOFF.plus(DAY), null));              // idle expiry
            ended.add(insert(sessions, userId, CUTOFF.plus(DAY), CUTOFF.minus(Duration.ofHours(1)), null)); // absolute expiry alone
            ended.add(insert(sessions, userId, CUTOFF.plus(DAY), CUTOFF.plus(DAY), CUTOFF.minusSeconds(1))); // revoked
            String rotatedThenRevoked = insert(sessions, userId, CUTOFF.plus(DAY), CUTOFF.plus(DAY), null);
            ended.add(rotatedThenRevoked);
            // live, or ended at or after the cutoff (kept a while for the sessions list and audits)
            kept.add(insert(sessions, userId, CUTOFF.plus(DAY), CUTOFF.plus(DAY), null));
            kept.add(insert(sessions, userId, CUTOFF, CUTOFF.plus(DAY), null));                             // at the cutoff: not before
            kept.add(insert(sessions, userId, CUTOFF.plus(DAY), CUTOFF.plus(DAY), CUTOFF.plusSeconds(1)));
            String rotatedLive = insert(sessions, userId, CUTOFF.plus(DAY), CUTOFF.plus(DAY), null);
            kept.add(rotatedLive);

            List<String> retiredHashes = rotateTwice(sessions, rotatedThenRevoked);
            assertThat(sessions.revoke(rotatedThenRevoked, CUTOFF.minus(DAY))).isTrue();
            List<String> liveHashes = rotateTwice(sessions, rotatedLive);
            assertThat(tokenCount(database, rotatedThenRevoked)).isEqualTo(3);

            // bounded batches: the caller loops until a batch comes back short
            assertThat(sessions.purgeEnded(CUTOFF, 3)).isEqualTo(3);
            assertThat(sessions.purgeEnded(CUTOFF, 3)).isEqualTo(1);
            assertThat(sessions.purgeEnded(CUTOFF, 3)).isZero();

            for (String id : ended) {
                assertThat(sessions.findById(id)).as(id).isEmpty();
                assertThat(tokenCount(database, id)).as("hashes of purged " + id).isZero();
            }
            for (String hash : retiredHashes) {
                assertThat(sessions.findByTokenHash(hash)).isEmpty();
            }
            for (String id : kept) {
                assertThat(sessions.findById(id)).as(id).isPresent();
            }
            for (String hash : liveHashes) {
                assertThat(sessions.findByTokenHash(hash).orElseThrow().id()).isEqualTo(rotatedLive);
            }
            assertThat(tokenCount(database, rotatedLive)).isEqualTo(3);
        } finally {
            if (url != null) {
                PostgresServer.shared().dropDatabase(url);
            }
        }
    }

    private static String insert(SessionStore sessions, String userId, Instant idleExpiresAt, Instant absoluteExpiresAt,
                                 Instant revokedAt) {
        String id = UUID.randomUUID().toString();
        Instant created = CUTOFF.minus(DAY.multipliedBy(40));
        sessions.insert(new Session(id, userId, UUID.randomUUID().toString(), null, null, null, created, created,
                idleExpiresAt, absoluteExpiresAt, revokedAt, "test", "127.0.0.1"));
        return id;
    }

    /** Rotates twice; returns the three hashes the session then has had (first, retired, current). */
    private static List<String> rotateTwice(SessionStore sessions, String id) {
        Session session = sessions.findById(id).orElseThrow();
        List<String> hashes = new ArrayList<>(List.of(session.currentHash()));
        for (int i = 0; i < 2; i++) {
            String next = UUID.randomUUID().toString();
            assertThat(sessions.rotate(id, hashes.getLast(), next, new byte[] {1, 2, 3}, CUTOFF.minus(DAY.multipliedBy(2)),
                    session.idleExpiresAt())).isTrue();
            hashes.add(next);
        }
        return hashes;
    }

    private static int tokenCount(Database database, String sessionId) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT COUNT(*) FROM session_tokens WHERE session_id = ?")) {
            statement.setString(1, sessionId);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
