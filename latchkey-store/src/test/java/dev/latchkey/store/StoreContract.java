package dev.latchkey.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.core.accounts.EmailTakenException;
import dev.latchkey.core.accounts.User;
import dev.latchkey.core.accounts.UserQuery;
import dev.latchkey.core.accounts.UserStore;
import dev.latchkey.core.accounts.UserStore.TokenRevocation;
import dev.latchkey.core.secrets.SecretStore;
import dev.latchkey.core.sessions.OwnedSession;
import dev.latchkey.core.sessions.Session;
import dev.latchkey.core.sessions.SessionStore;
import dev.latchkey.core.sessions.SessionStore.Revocation;
import dev.latchkey.core.tokens.SigningKeyStore;
import dev.latchkey.store.jdbc.JdbcUserStore;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every store implementation must do, run unchanged against each engine. Subclasses
 * provide a fresh, empty, migrated database per test.
 */
abstract class StoreContract {

    /** Has nanoseconds on purpose: the store keeps milliseconds. */
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00.123456789Z");
    static final Duration IDLE = Duration.ofDays(7);
    static final Duration ABSOLUTE = Duration.ofDays(30);

    protected Database database;
    protected UserStore users;
    protected SessionStore sessions;
    protected SecretStore secrets;

    /** A fresh, empty database, migrated. */
    protected abstract Database openDatabase();

    /** Makes the database unreachable for {@code database} (stop, drop, delete...). */
    protected abstract void takeDatabaseAway(Database database);

    @BeforeEach
    void openStores() {
        database = openDatabase();
        users = database.users();
        sessions = database.sessions();
        secrets = database.secrets();
    }

    @AfterEach
    void closeDatabase() {
        database.close();
    }

    // ---- users ----

    @Test
    void insertsAndFindsUsersKeepingMilliseconds() {
        User alice = user("u1", "alice@example.com");
        users.insert(alice);

        User expected = new User("u1", "alice@example.com", "user", "$argon2id$hash-of-u1", millis(T0), null);
        assertThat(users.findById("u1")).contains(expected);
        assertThat(users.findByEmail("alice@example.com")).contains(expected);
        assertThat(users.findById("nobody")).isEmpty();
        assertThat(users.findByEmail("nobody@example.com")).isEmpty();
        assertThat(users.count()).isEqualTo(1);
    }

    @Test
    void keepsDisabledAt() {
        users.insert(new User("u1", "a@example.com", "admin", "h", T0, T0.plusSeconds(5)));

        assertThat(users.findById("u1").orElseThrow().disabledAt()).isEqualTo(millis(T0.plusSeconds(5)));
        assertThat(users.findById("u1").orElseThrow().disabled()).isTrue();
    }

    @Test
    void duplicateEmailInAnyCaseIsRefusedByTheConstraintAndChangesNothing() {
        users.insert(user("u1", "alice@example.com"));

        assertThatThrownBy(() -> users.insert(user("u2", "Alice@Example.COM"))).isInstanceOf(EmailTakenException.class);
        assertThatThrownBy(() -> users.insert(user("u3", "alice@example.com"))).isInstanceOf(EmailTakenException.class);

        assertThat(users.count()).isEqualTo(1);
        assertThat(users.findById("u2")).isEmpty();
        assertThat(users.findByEmail("alice@example.com").orElseThrow().id()).isEqualTo("u1");
    }

    @Test
    void emailsAreStoredAndLookedUpLowercased() {
        users.insert(user("u1", "Bob@Example.com"));

        assertThat(users.findByEmail("bob@example.com").orElseThrow().email()).isEqualTo("bob@example.com");
        assertThat(users.findByEmail("BOB@example.com")).isPresent();
    }

    @Test
    void aDuplicateIdIsAStoreFailureNotEmailTaken() {
        users.insert(user("u1", "a@example.com"));

        assertThatThrownBy(() -> users.insert(user("u1", "b@example.com")))
                .isInstanceOf(StoreException.class)
                .hasMessage("The database operation failed.");
    }

    @Test
    void updatesPasswordHashAndRoleOnlyOfExistingUsers() {
        users.insert(user("u1", "a@example.com"));

        assertThat(users.updatePasswordHash("u1", "new-hash")).isTrue();
        assertThat(users.updateRole("u1", "admin")).isTrue();
        assertThat(users.updatePasswordHash("missing", "x")).isFalse();
        assertThat(users.updateRole("missing", "admin")).isFalse();

        User stored = users.findById("u1").orElseThrow();
        assertThat(stored.passwordHash()).isEqualTo("new-hash");
        assertThat(stored.role()).isEqualTo("admin");
        assertThat(users.count()).isEqualTo(1);
    }

    @Test
    void recordsTokenRevocationsWithoutEverMovingThemBack() {
        users.insert(user("u1", "a@example.com"));
        users.insert(user("u2", "b@example.com"));

        assertThat(users.revokeTokensIssuedBefore("u1", T0.plusSeconds(10))).isTrue();
        assertThat(users.revokeTokensIssuedBefore("u1", T0.plusSeconds(5))).isTrue(); // earlier: ignored
        assertThat(users.revokeTokensIssuedBefore("u2", T0.plusSeconds(20))).isTrue();
        assertThat(users.revokeTokensIssuedBefore("missing", T0)).isFalse();

        assertThat(users.tokenRevocationsSince(T0)).containsExactly(
                new TokenRevocation("u1", millis(T0.plusSeconds(10))),
                new TokenRevocation("u2", millis(T0.plusSeconds(20))));
        assertThat(users.tokenRevocationsSince(millis(T0.plusSeconds(20)))).containsExactly(
                new TokenRevocation("u2", millis(T0.plusSeconds(20))));
        assertThat(users.tokenRevocationsSince(T0.plusSeconds(21))).isEmpty();
    }

    @Test
    void listsUsersInStablePagesWithFiltersAndNoDuplicatesOrGaps() {
        // several users share a creation millisecond: the id breaks the tie
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            String id = String.format("u%02d", i);
            String email = (i % 3 == 0 ? "ops" : "dev") + i + "@example.com";
            users.insert(new User(id, email, i % 4 == 0 ? "admin" : "user", "h", T0.plusMillis(i / 3), null));
            expected.add(id);
        }

        assertThat(pages(null, null, 5)).containsExactlyElementsOf(expected);
        assertThat(pages(null, null, 200)).containsExactlyElementsOf(expected);
        assertThat(pages("ops", null, 2)).containsExactlyElementsOf(
                expected.stream().filter(id -> Integer.parseInt(id.substring(1)) % 3 == 0).toList());
        assertThat(pages(null, "admin", 2)).containsExactlyElementsOf(
                expected.stream().filter(id -> Integer.parseInt(id.substring(1)) % 4 == 0).toList());
        assertThat(pages("ops1", "admin", 1)).containsExactly("u12");
        assertThat(pages("nobody", null, 5)).isEmpty();
        assertThat(users.list(new UserQuery(null, null, null, 3)).getFirst())
                .isEqualTo(new User("u00", "ops0@example.com", "admin", "h", millis(T0), null));
    }

    @Test
    void aPageBoundaryHoldsWhenItsLastUserIsDeleted() {
        for (int i = 0; i < 4; i++) {
            users.insert(new User("u" + i, i + "@example.com", "user", "h", T0.plusSeconds(i), null));
        }
        List<User> first = users.list(new UserQuery(null, null, null, 2));
        users.delete("u1", T0);

        UserQuery.Position after = new UserQuery.Position(first.getLast().createdAt(), first.getLast().id());
        assertThat(users.list(new UserQuery(null, null, after, 2))).extracting(User::id).containsExactly("u2", "u3");
    }

    @Test
    void theEmailPrefixIsLiteralNotAPattern() {
        users.insert(user("u1", "a_b@example.com"));
        users.insert(user("u2", "axb@example.com"));
        users.insert(user("u3", "a%c@example.com"));

        assertThat(users.list(new UserQuery("a_", null, null, 10))).extracting(User::id).containsExactly("u1");
        assertThat(users.list(new UserQuery("a%", null, null, 10))).extracting(User::id).containsExactly("u3");
        assertThat(users.list(new UserQuery("A", null, null, 10))).hasSize(3);
    }

    @Test
    void changeRoleMovesTheMarkForwardOnlyAndKeepsOneEnabledAdmin() {
        users.insert(new User("a1", "a1@example.com", "admin", "h", T0, null));
        users.insert(user("u1", "u1@example.com"));

        assertThat(users.changeRole("a1", "user", T0)).isEqualTo(UserStore.Change.LAST_ADMIN);
        assertThat(users.findById("a1").orElseThrow().role()).isEqualTo("admin");
        assertThat(users.findById("a1").orElseThrow().tokensRevokedBefore()).isNull();

        assertThat(users.changeRole("u1", "admin", T0.plusSeconds(10))).isEqualTo(UserStore.Change.DONE);
        assertThat(users.changeRole("a1", "user", T0.plusSeconds(5))).isEqualTo(UserStore.Change.DONE);
        assertThat(users.changeRole("u1", "user", T0)).isEqualTo(UserStore.Change.LAST_ADMIN);
        assertThat(users.changeRole("u1", "admin", T0.plusSeconds(3))).isEqualTo(UserStore.Change.DONE);
        assertThat(users.changeRole("missing", "user", T0)).isEqualTo(UserStore.Change.NOT_FOUND);

        User promoted = users.findById("u1").orElseThrow();
        assertThat(promoted.role()).isEqualTo("admin");
        assertThat(promoted.tokensRevokedBefore()).as("never moved back").isEqualTo(millis(T0.plusSeconds(10)));
        assertThat(users.findById("a1").orElseThrow().tokensRevokedBefore()).isEqualTo(millis(T0.plusSeconds(5)));
    }

    @Test
    void aDisabledAdminDoesNotCountAsTheRemainingAdmin() {
        users.insert(new User("a1", "a1@example.com", "admin", "h", T0, null));
        users.insert(new User("a2", "a2@example.com", "admin", "h", T0, null));

        assertThat(users.setDisabled("a2", T0)).isEqualTo(UserStore.Change.DONE);
        assertThat(users.setDisabled("a1", T0)).isEqualTo(UserStore.Change.LAST_ADMIN);
        assertThat(users.delete("a1", T0)).isEqualTo(UserStore.Change.LAST_ADMIN);
        assertThat(users.changeRole("a1", "user", T0)).isEqualTo(UserStore.Change.LAST_ADMIN);
        // the disabled one may go: it is not what keeps Latchkey administrable
        assertThat(users.delete("a2", T0)).isEqualTo(UserStore.Change.DONE);
        assertThat(users.findById("a1").orElseThrow().disabled()).isFalse();
    }

    @Test
    void disableKeepsTheFirstInstantAndEnableClearsIt() {
        users.insert(user("u1", "a@example.com"));

        assertThat(users.setDisabled("u1", T0)).isEqualTo(UserStore.Change.DONE);
        assertThat(users.setDisabled("u1", T0.plusSeconds(9))).isEqualTo(UserStore.Change.DONE);
        assertThat(users.findById("u1").orElseThrow().disabledAt()).isEqualTo(millis(T0));
        assertThat(users.setDisabled("u1", null)).isEqualTo(UserStore.Change.DONE);
        assertThat(users.findById("u1").orElseThrow().disabled()).isFalse();
        assertThat(users.setDisabled("missing", T0)).isEqualTo(UserStore.Change.NOT_FOUND);
        assertThat(users.setDisabled("missing", null)).isEqualTo(UserStore.Change.NOT_FOUND);
    }

    @Test
    void deleteRemovesTheUserWithSessionsAndReportsTheDeletionAsARevocation() throws SQLException {
        users.insert(user("u1", "a@example.com"));
        users.insert(user("u2", "b@example.com"));
        sessions.insert(session("s1", "u1", "h1", T0));
        sessions.insert(session("s2", "u2", "h2", T0));

        assertThat(users.delete("u1", T0.plusSeconds(30))).isEqualTo(UserStore.Change.DONE);
        assertThat(users.delete("u1", T0.plusSeconds(31))).isEqualTo(UserStore.Change.NOT_FOUND);

        assertThat(users.findById("u1")).isEmpty();
        assertThat(sessions.findById("s1")).isEmpty();
        assertThat(sessions.findByTokenHash("h1")).isEmpty();
        assertThat(sessions.findById("s2")).isPresent();
        assertThat(hashesInTable()).containsExactly("h2");
        assertThat(users.tokenRevocationsSince(T0)).containsExactly(new TokenRevocation("u1", millis(T0.plusSeconds(30))));
        // the email is free again
        users.insert(user("u3", "a@example.com"));

        assertThat(users.purgeDeletionRecords(T0.plusSeconds(30))).isZero();
        assertThat(users.purgeDeletionRecords(T0.plusSeconds(31))).isEqualTo(1);
        assertThat(users.tokenRevocationsSince(T0)).isEmpty();
    }

    @Test
    void concurrentDemotionsOfTheLastTwoAdminsLeaveOne() throws Exception {
        for (int round = 0; round < 5; round++) {
            String a = "a" + round + "x";
            String b = "a" + round + "y";
            users.insert(new User(a, a + "@example.com", "admin", "h", T0, null));
            users.insert(new User(b, b + "@example.com", "admin", "h", T0, null));
            CountDownLatch start = new CountDownLatch(1);
            List<UserStore.Change> results = race(List.of(
                    () -> { start.await(); return users.changeRole(a, "user", T0); },
                    () -> { start.await(); return users.setDisabled(b, T0); }), start);

            assertThat(results).containsExactlyInAnyOrder(UserStore.Change.DONE, UserStore.Change.LAST_ADMIN);
            try (Connection connection = database.dataSource().getConnection();
                 PreparedStatement clear = connection.prepareStatement("DELETE FROM users")) {
                clear.executeUpdate();
            }
        }
    }

    private List<String> pages(String emailPrefix, String role, int pageSize) {
        List<String> ids = new ArrayList<>();
        UserQuery.Position after = null;
        for (int guard = 0; guard < 100; guard++) {
            List<User> page = users.list(new UserQuery(emailPrefix, role, after, pageSize));
            page.forEach(u -> ids.add(u.id()));
            if (page.size() < pageSize) {
                return ids;
            }
            after = new UserQuery.Position(page.getLast().createdAt(), page.getLast().id());
        }
        throw new AssertionError("no last page");
    }

    // ---- sessions ----

    @Test
    void insertsSessionsAndFindsThemByIdAndCurrentHash() {
        users.insert(user("u1", "a@example.com"));
        Session session = new Session("s1", "u1", "hash-1", null, null, null, T0, T0, T0.plus(IDLE), T0.plus(ABSOLUTE),
                null, "Firefox", "203.0.113.9");
        sessions.insert(session);

        assertThat(sessions.findById("s1").orElseThrow()).usingRecursiveComparison().isEqualTo(millis(session));
        assertThat(sessions.findByTokenHash("hash-1").orElseThrow()).usingRecursiveComparison().isEqualTo(millis(session));
        assertThat(sessions.findByTokenHash("unknown")).isEmpty();
        assertThat(sessions.findById("unknown")).isEmpty();
    }

    @Test
    void findsTheSessionWithItsOwnerByAnyOfItsHashesInOneRead() {
        User owner = new User("u1", "a@example.com", "admin", "$argon2id$hash-of-u1", T0, null, T0.plusSeconds(5),
                T0.plusSeconds(7));
        users.insert(owner);
        users.insert(user("u2", "b@example.com"));
        assertThat(users.findById("u1").orElseThrow().role()).isEqualTo("admin");
        sessions.insert(session("s1", "u1", "hash-1", T0));
        sessions.insert(session("s2", "u2", "hash-other", T0));
        Instant now = T0.plusSeconds(60);
        assertThat(sessions.rotate("s1", "hash-1", "hash-2", new byte[] {9}, now, now.plus(IDLE))).isTrue();
        assertThat(sessions.rotate("s1", "hash-2", "hash-3", new byte[] {8}, now, now.plus(IDLE))).isTrue();

        for (String hash : List.of("hash-1", "hash-2", "hash-3")) { // retired, previous, current
            OwnedSession found = sessions.findWithOwnerByTokenHash(hash).orElseThrow();
            assertThat(found.session()).as(hash).usingRecursiveComparison().isEqualTo(sessions.findById("s1").orElseThrow());
            assertThat(found.owner()).as(hash).isEqualTo(users.findById("u1").orElseThrow()).isNotNull();
        }
        assertThat(sessions.findWithOwnerByTokenHash("unknown")).isEmpty();

        assertThat(sessions.findWithOwnerByTokenHash("hash-other").orElseThrow().owner().disabled()).isFalse();
        assertThat(users.setDisabled("u2", now)).isEqualTo(UserStore.Change.DONE);
        OwnedSession ofDisabled = sessions.findWithOwnerByTokenHash("hash-other").orElseThrow();
        assertThat(ofDisabled.session().id()).isEqualTo("s2");
        assertThat(ofDisabled.owner().id()).isEqualTo("u2");
        assertThat(ofDisabled.owner().disabled()).isTrue();
    }

    @Test
    void aSessionOfAnUnknownUserIsRefused() {
        assertThatThrownBy(() -> sessions.insert(session("s1", "ghost", "hash-1", T0))).isInstanceOf(StoreException.class);
        assertThat(sessions.findByTokenHash("hash-1")).isEmpty();
    }

    @Test
    void rotateMovesCurrentToPreviousAndEveryHashStillNamesTheFamily() {
        users.insert(user("u1", "a@example.com"));
        sessions.insert(session("s1", "u1", "hash-1", T0));
        Instant now = T0.plusSeconds(60);
        byte[] sealed = {1, 2, 3};

        assertThat(sessions.rotate("s1", "hash-1", "hash-2", sealed, now, now.plus(IDLE))).isTrue();
        assertThat(sessions.rotate("s1", "hash-1", "hash-2b", sealed, now, now.plus(IDLE))).isFalse();

        Session rotated = sessions.findById("s1").orElseThrow();
        assertThat(rotated.currentHash()).isEqualTo("hash-2");
        assertThat(rotated.previousHash()).isEqualTo("hash-1");
        assertThat(rotated.rotatedAt()).isEqualTo(millis(now));
        assertThat(rotated.sealedSuccessor()).containsExactly(1, 2, 3);
        assertThat(rotated.lastUsedAt()).isEqualTo(millis(now));
        assertThat(rotated.idleExpiresAt()).isEqualTo(millis(now.plus(IDLE)));
        assertThat(rotated.absoluteExpiresAt()).isEqualTo(millis(T0.plus(ABSOLUTE)));
        assertThat(rotated.createdAt()).isEqualTo(millis(T0));
        assertThat(sessions.findByTokenHash("hash-2")).map(Session::id).contains("s1");
        assertThat(sessions.findByTokenHash("hash-1")).map(Session::id).contains("s1");
        assertThat(sessions.findByTokenHash("hash-2b")).isEmpty();

        Instant later = now.plusSeconds(60);
        assertThat(sessions.rotate("s1", "hash-2", "hash-3", new byte[] {4}, later, later.plus(IDLE))).isTrue();

        Session again = sessions.findByTokenHash("hash-1").orElseThrow(); // retired: still names the family
        assertThat(again.id()).isEqualTo("s1");
        assertThat(again.currentHash()).isEqualTo("hash-3");
        assertThat(again.previousHash()).isEqualTo("hash-2");
        assertThat(sessions.findByTokenHash("hash-2")).map(Session::id).contains("s1");
        assertThat(sessions.findByTokenHash("hash-3")).map(Session::id).contains("s1");
    }

    @Test
    void rotateWithAStaleHashChangesNothing() {
        users.insert(user("u1", "a@example.com"));
        sessions.insert(session("s1", "u1", "hash-1", T0));
        Instant now = T0.plusSeconds(60);
        sessions.rotate("s1", "hash-1", "hash-2", new byte[] {9}, now, now.plus(IDLE));
        Session before = sessions.findById("s1").orElseThrow();

        Instant later = now.plusSeconds(60);
        assertThat(sessions.rotate("s1", "hash-1", "hash-x", new byte[] {7}, later, later.plus(IDLE))).isFalse();
        assertThat(sessions.rotate("other", "hash-2", "hash-y", new byte[] {7}, later, later.plus(IDLE))).isFalse();

        assertThat(sessions.findById("s1").orElseThrow()).usingRecursiveComparison().isEqualTo(before);
        assertThat(sessions.findByTokenHash("hash-x")).isEmpty();
        assertThat(sessions.findByTokenHash("hash-y")).isEmpty();
    }

    @Test
    void aRevokedSessionNeverRotates() {
        users.insert(user("u1", "a@example.com"));
        sessions.insert(session("s1", "u1", "hash-1", T0));
        sessions.revoke("s1", T0.plusSeconds(1));

        assertThat(sessions.rotate("s1", "hash-1", "hash-2", null, T0.plusSeconds(2), T0.plus(IDLE))).isFalse();
        assertThat(sessions.findById("s1").orElseThrow().currentHash()).isEqualTo("hash-1");
        assertThat(sessions.findByTokenHash("hash-2")).isEmpty();
    }

    @Test
    void concurrentRotationsWithTheSameHashHaveExactlyOneWinner() throws Exception {
        users.insert(user("u1", "a@example.com"));
        sessions.insert(session("s1", "u1", "hash-1", T0));
        int racers = 20;
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Boolean>> attempts = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            String newHash = "hash-2-" + i;
            attempts.add(() -> {
                start.await();
                Instant now = T0.plusSeconds(60);
                return sessions.rotate("s1", "hash-1", newHash, newHash.getBytes(), now, now.plus(IDLE));
            });
        }
        List<Boolean> outcomes = race(attempts, start);

        assertThat(outcomes).filteredOn(won -> won).hasSize(1);
        String winner = "hash-2-" + outcomes.indexOf(true);
        Session session = sessions.findById("s1").orElseThrow();
        assertThat(session.currentHash()).isEqualTo(winner);
        assertThat(session.previousHash()).isEqualTo("hash-1");
        assertThat(session.sealedSuccessor()).isEqualTo(winner.getBytes());
        for (int i = 0; i < racers; i++) {
            String hash = "hash-2-" + i;
            assertThat(sessions.findByTokenHash(hash).isPresent()).as(hash).isEqualTo(hash.equals(winner));
        }
    }

    @Test
    void revokeIsTrueOnlyForALiveSession() {
        users.insert(user("u1", "a@example.com"));
        sessions.insert(session("s1", "u1", "hash-1", T0));

        assertThat(sessions.revoke("s1", T0.plusSeconds(5))).isTrue();
        assertThat(sessions.revoke("s1", T0.plusSeconds(6))).isFalse();
        assertThat(sessions.revoke("missing", T0)).isFalse();

        Session revoked = sessions.findById("s1").orElseThrow();
        assertThat(revoked.revoked()).isTrue();
        assertThat(revoked.revokedAt()).isEqualTo(millis(T0.plusSeconds(5)));
    }

    @Test
    void revokeAllForUserKeepsTheGivenSessionAndTouchesNoOtherUser() {
        users.insert(user("u1", "a@example.com"));
        users.insert(user("u2", "b@example.com"));
        sessions.insert(session("s1", "u1", "h1", T0));
        sessions.insert(session("s2", "u1", "h2", T0));
        sessions.insert(session("s3", "u1", "h3", T0));
        sessions.insert(session("s4", "u1", "h4", T0));
        sessions.insert(session("other", "u2", "h5", T0));
        sessions.revoke("s4", T0.plusSeconds(1));

        Instant now = T0.plusSeconds(10);
        assertThat(sessions.revokeAllForUser("u1", "s2", now)).containsExactlyInAnyOrder("s1", "s3");

        assertThat(sessions.findById("s2").orElseThrow().revoked()).isFalse();
        assertThat(sessions.findById("other").orElseThrow().revoked()).isFalse();
        assertThat(sessions.findById("s4").orElseThrow().revokedAt()).isEqualTo(millis(T0.plusSeconds(1)));
        assertThat(sessions.findById("s1").orElseThrow().revokedAt()).isEqualTo(millis(now));

        assertThat(sessions.revokeAllForUser("u1", null, now.plusSeconds(1))).containsExactly("s2");
        assertThat(sessions.revokeAllForUser("u1", null, now.plusSeconds(2))).isEmpty();
        assertThat(sessions.revokeAllForUser("nobody", null, now)).isEmpty();
    }

    @Test
    void listLiveExcludesRevokedAndExpiredSessionsNewestFirst() {
        users.insert(user("u1", "a@example.com"));
        users.insert(user("u2", "b@example.com"));
        Instant now = T0.plus(Duration.ofDays(10));
        sessions.insert(session("old-live", "u1", "h1", now.minus(Duration.ofDays(2))));
        sessions.insert(session("new-live", "u1", "h2", now.minus(Duration.ofDays(1))));
        sessions.insert(session("revoked", "u1", "h3", now.minusSeconds(10)));
        sessions.revoke("revoked", now.minusSeconds(5));
        sessions.insert(session("idle-expired", "u1", "h4", now.minus(Duration.ofDays(8))));
        sessions.insert(new Session("absolute-expired", "u1", "h5", null, null, null, now.minus(ABSOLUTE),
                now, now.plus(IDLE), now, null, null, null));
        sessions.insert(session("other-user", "u2", "h6", now.minusSeconds(1)));

        assertThat(sessions.listLive("u1", now)).extracting(Session::id).containsExactly("new-live", "old-live");
        assertThat(sessions.listLive("nobody", now)).isEmpty();
    }

    @Test
    void countLiveCountsOnlyLiveSessionsOfEveryUser() {
        users.insert(user("u1", "a@example.com"));
        users.insert(user("u2", "b@example.com"));
        Instant now = T0.plus(Duration.ofDays(10));
        assertThat(sessions.countLive(now)).isZero();
        sessions.insert(session("live-1", "u1", "h1", now.minus(Duration.ofDays(2))));
        sessions.insert(session("live-2", "u2", "h2", now.minusSeconds(1)));
        sessions.insert(session("revoked", "u1", "h3", now.minusSeconds(10)));
        sessions.revoke("revoked", now.minusSeconds(5));
        sessions.insert(session("idle-expired", "u1", "h4", now.minus(Duration.ofDays(8))));
        sessions.insert(new Session("absolute-expired", "u2", "h5", null, null, null, now.minus(ABSOLUTE),
                now, now.plus(IDLE), now, null, null, null));

        assertThat(sessions.countLive(now)).isEqualTo(2);
        assertThat(sessions.countLive(now.plus(Duration.ofDays(6)))).as("live-1 idles out first").isEqualTo(1);
    }

    @Test
    void revokedSinceListsRevocationsAtOrAfterTheInstant() {
        users.insert(user("u1", "a@example.com"));
        users.insert(user("u2", "b@example.com"));
        sessions.insert(session("s1", "u1", "h1", T0));
        sessions.insert(session("s2", "u2", "h2", T0));
        sessions.insert(session("s3", "u2", "h3", T0));
        sessions.revoke("s1", T0.plusSeconds(10));
        sessions.revoke("s2", T0.plusSeconds(20));

        assertThat(sessions.revokedSince(T0)).containsExactly(
                new Revocation("s1", "u1", millis(T0.plusSeconds(10))),
                new Revocation("s2", "u2", millis(T0.plusSeconds(20))));
        assertThat(sessions.revokedSince(millis(T0.plusSeconds(20)))).containsExactly(
                new Revocation("s2", "u2", millis(T0.plusSeconds(20))));
        assertThat(sessions.revokedSince(T0.plusSeconds(21))).isEmpty();
    }

    @Test
    void purgeEndedRemovesOnlyEndedSessionsWithTheirHashesInBatches() throws SQLException {
        users.insert(user("u1", "a@example.com"));
        Instant before = T0.plus(Duration.ofDays(40));
        // ended before `before`
        sessions.insert(new Session("idle-ended", "u1", "ie-1", null, null, null, T0, T0, before.minusSeconds(1),
                before.plus(ABSOLUTE), null, null, null));
        sessions.insert(new Session("absolute-ended", "u1", "ae-1", null, null, null, T0, T0, before.plus(IDLE),
                before.minusSeconds(1), null, null, null));
        sessions.insert(session("revoked-long-ago", "u1", "rl-1", before.minus(Duration.ofDays(1))));
        sessions.revoke("revoked-long-ago", before.minusSeconds(1));
        sessions.rotate("idle-ended", "ie-1", "ie-2", null, T0, before.minusSeconds(1));
        // not ended before `before`
        sessions.insert(session("live", "u1", "live-1", before.minusSeconds(100)));
        sessions.rotate("live", "live-1", "live-2", null, before.minusSeconds(50), before.plus(IDLE));
        sessions.insert(session("revoked-recently", "u1", "rr-1", before.minusSeconds(100)));
        sessions.revoke("revoked-recently", before);

        assertThat(sessions.purgeEnded(before, 2)).isEqualTo(2);
        assertThat(sessions.purgeEnded(before, 2)).isEqualTo(1);
        assertThat(sessions.purgeEnded(before, 2)).isZero();

        assertThat(sessions.findById("live")).isPresent();
        assertThat(sessions.findById("revoked-recently")).isPresent();
        assertThat(sessions.findById("idle-ended")).isEmpty();
        assertThat(sessions.findById("absolute-ended")).isEmpty();
        assertThat(sessions.findById("revoked-long-ago")).isEmpty();
        assertThat(sessions.findByTokenHash("live-1")).isPresent();
        assertThat(sessions.findByTokenHash("ie-1")).isEmpty();
        // the cascade really removed the rows, not just made them unreachable
        assertThat(hashesInTable()).containsExactlyInAnyOrder("live-1", "live-2", "rr-1");
    }

    // ---- secrets ----

    @Test
    void getOrCreateStoresOnceAndReturnsTheStoredSecret() {
        AtomicInteger generated = new AtomicInteger();
        byte[] first = secrets.getOrCreate("csrf", () -> {
            generated.incrementAndGet();
            return new byte[] {1, 2, 3};
        });
        byte[] second = secrets.getOrCreate("csrf", () -> {
            generated.incrementAndGet();
            return new byte[] {4, 5, 6};
        });

        assertThat(first).containsExactly(1, 2, 3);
        assertThat(second).containsExactly(1, 2, 3);
        assertThat(generated).hasValue(1);
        assertThat(secrets.getOrCreate("other", () -> new byte[] {7})).containsExactly(7);
    }

    @Test
    void racingGetOrCreateCallsAllGetTheSameSecret() throws Exception {
        SecureRandom random = new SecureRandom();
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<byte[]>> attempts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            attempts.add(() -> {
                start.await();
                return secrets.getOrCreate("shared", () -> {
                    byte[] value = new byte[32];
                    random.nextBytes(value);
                    return value;
                });
            });
        }
        List<byte[]> values = race(attempts, start);

        byte[] stored = secrets.getOrCreate("shared", () -> new byte[] {0});
        assertThat(stored).hasSize(32);
        assertThat(values).allSatisfy(value -> assertThat(value).isEqualTo(stored));
    }

    // ---- signing keys ----

    static SigningKeyStore.StoredKey storedKey(String kid, Instant createdAt) {
        return new SigningKeyStore.StoredKey(kid, "RS256", "pem-of-" + kid, SigningKeyStore.StoredKey.GENERATED,
                createdAt, null, null);
    }

    @Test
    void signingKeysAreInsertedOnceByKidAndReadBackWithMilliseconds() {
        SigningKeyStore keys = database.signingKeys();
        assertThat(keys.all()).isEmpty();
        String emptyVersion = keys.version();

        assertThat(keys.insertIfAbsent(storedKey("k1", T0))).isTrue();
        assertThat(keys.insertIfAbsent(new SigningKeyStore.StoredKey("k1", "ES256", "other", "configured", T0, null, null)))
                .isFalse();

        assertThat(keys.find("k1")).contains(new SigningKeyStore.StoredKey("k1", "RS256", "pem-of-k1", "generated",
                millis(T0), null, null));
        assertThat(keys.find("nope")).isEmpty();
        assertThat(keys.version()).isNotEqualTo(emptyVersion);

        keys.updatePrivateKey("k1", "sealed");
        assertThat(keys.find("k1").orElseThrow().privateKey()).isEqualTo("sealed");
    }

    @Test
    void activatingAKeyRetiresThePreviousOneAndLeavesPendingKeysPending() {
        SigningKeyStore keys = database.signingKeys();
        keys.insertIfAbsent(storedKey("k1", T0));
        keys.insertIfAbsent(storedKey("k2", T0.plusSeconds(1)));
        keys.insertIfAbsent(storedKey("k3", T0.plusSeconds(2)));

        assertThat(keys.activate("k1", T0.plusSeconds(10))).isTrue();
        String before = keys.version();
        assertThat(keys.activate("k2", T0.plusSeconds(20))).isTrue();
        assertThat(keys.activate("missing", T0.plusSeconds(30))).isFalse();

        assertThat(keys.find("k1").orElseThrow().retiredAt()).isEqualTo(millis(T0.plusSeconds(20)));
        assertThat(keys.find("k2").orElseThrow().active()).isTrue();
        assertThat(keys.find("k2").orElseThrow().activatedAt()).isEqualTo(millis(T0.plusSeconds(20)));
        assertThat(keys.find("k3").orElseThrow().pending()).isTrue();
        assertThat(keys.version()).isNotEqualTo(before);
        assertThat(keys.all()).extracting(SigningKeyStore.StoredKey::kid).containsExactly("k1", "k2", "k3");
    }

    @Test
    void activateIfNoneActiveKeepsTheFirstActiveKey() {
        SigningKeyStore keys = database.signingKeys();
        SigningKeyStore.StoredKey first = keys.activateIfNoneActive(storedKey("k1", T0), T0);
        SigningKeyStore.StoredKey second = keys.activateIfNoneActive(storedKey("k2", T0), T0.plusSeconds(1));

        assertThat(first.kid()).isEqualTo("k1");
        assertThat(second.kid()).isEqualTo("k1");
        assertThat(keys.find("k2")).isEmpty();
    }

    @Test
    void rotateUsesThePendingKeyOrMakesOneAndOnlyWhenDue() {
        SigningKeyStore keys = database.signingKeys();
        keys.activateIfNoneActive(storedKey("k1", T0), T0);

        // not due: k1 was activated at T0, not before T0
        assertThat(keys.rotate(T0.plusSeconds(5), millis(T0), false, () -> storedKey("never", T0))).isEmpty();

        keys.insertIfAbsent(storedKey("pending", T0.plusSeconds(1)));
        var rotated = keys.rotate(T0.plusSeconds(10), T0.plusSeconds(10), false, () -> storedKey("never", T0));
        assertThat(rotated).map(SigningKeyStore.StoredKey::kid).contains("pending");
        assertThat(keys.find("k1").orElseThrow().retiredAt()).isEqualTo(millis(T0.plusSeconds(10)));

        var forced = keys.rotate(T0.plusSeconds(20), null, false, () -> storedKey("k3", T0.plusSeconds(20)));
        assertThat(forced).map(SigningKeyStore.StoredKey::kid).contains("k3");
        assertThat(keys.all()).filteredOn(SigningKeyStore.StoredKey::active).extracting(SigningKeyStore.StoredKey::kid)
                .containsExactly("k3");
    }

    @Test
    void concurrentDueRotationsRotateOnce() throws Exception {
        SigningKeyStore keys = database.signingKeys();
        keys.activateIfNoneActive(storedKey("k0", T0), T0);
        Instant now = T0.plus(Duration.ofHours(2));
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger made = new AtomicInteger();
        List<Callable<Boolean>> attempts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            attempts.add(() -> {
                start.await();
                return keys.rotate(now, now.minus(Duration.ofHours(1)), false,
                        () -> storedKey("new-" + made.incrementAndGet(), now)).isPresent();
            });
        }
        List<Boolean> results = race(attempts, start);

        assertThat(results).containsOnlyOnce(true);
        assertThat(keys.all()).hasSize(2);
        assertThat(keys.all()).filteredOn(SigningKeyStore.StoredKey::active).hasSize(1);
    }

    // ---- database ----

    @Test
    void migrateAgainIsHarmless() {
        users.insert(user("u1", "a@example.com"));

        database.migrate();

        assertThat(users.count()).isEqualTo(1);
    }

    @Test
    void pingIsTrueWhileTheDatabaseAnswers() {
        assertThat(database.ping()).isTrue();
    }

    @Test
    void pingIsFalseQuicklyOnceTheDatabaseIsGone() {
        assertThat(database.ping()).isTrue();
        takeDatabaseAway(database);

        long started = System.nanoTime();
        assertThat(database.ping()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2500));
    }

    @Test
    void pingIsFalseAfterClose() {
        database.close();

        assertThat(database.ping()).isFalse();
    }

    // ---- helpers ----

    static User user(String id, String email) {
        return new User(id, email, "user", "$argon2id$hash-of-" + id, T0, null);
    }

    /** A fresh session created at {@code createdAt} with default lifetimes. */
    static Session session(String id, String userId, String hash, Instant createdAt) {
        return new Session(id, userId, hash, null, null, null, createdAt, createdAt, createdAt.plus(IDLE),
                createdAt.plus(ABSOLUTE), null, "agent", "127.0.0.1");
    }

    static Instant millis(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MILLIS);
    }

    static Session millis(Session s) {
        return new Session(s.id(), s.userId(), s.currentHash(), s.previousHash(), millis(s.rotatedAt()),
                s.sealedSuccessor(), millis(s.createdAt()), millis(s.lastUsedAt()), millis(s.idleExpiresAt()),
                millis(s.absoluteExpiresAt()), millis(s.revokedAt()), s.userAgent(), s.ip());
    }

    private List<String> hashesInTable() throws SQLException {
        List<String> hashes = new ArrayList<>();
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT hash FROM session_tokens");
             ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                hashes.add(rows.getString(1));
            }
        }
        return hashes;
    }

    /** Runs every attempt on its own thread, released together by {@code start}. */
    private static <T> List<T> race(List<Callable<T>> attempts, CountDownLatch start) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(attempts.size());
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> attempt : attempts) {
                futures.add(threads.submit(attempt));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get(30, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            threads.shutdownNow();
        }
    }
}
