package dev.latchkey.core.sessions;

import dev.latchkey.core.accounts.UserStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Fills the in-memory {@link RevocationList} from the database: all of one token lifetime at
 * start, then, periodically, whatever was revoked since the last read (less a margin for clock
 * skew between hosts and for transactions that committed late). That is how revocations made by
 * another instance or by the command line reach this one. Both reads are indexed range scans.
 */
public final class RevocationSync {
    /** Re-read this much before the last sync, so a revocation stamped by a slower clock or committed late is not missed. */
    public static final Duration MARGIN = Duration.ofMinutes(1);

    private final SessionStore sessions;
    private final UserStore users;
    private final RevocationList revocations;
    private final Clock clock;
    private Instant lastSync;

    public RevocationSync(SessionStore sessions, UserStore users, RevocationList revocations, Clock clock) {
        this.sessions = sessions;
        this.users = users;
        this.revocations = revocations;
        this.clock = clock;
    }

    /** Reads every revocation of the last token lifetime; returns how many entries were read. */
    public synchronized int rebuild() {
        return readSince(revocations.rebuildSince());
    }

    /** Reads what was revoked since the last read (with the margin); returns how many entries were read. */
    public synchronized int sync() {
        if (lastSync == null) {
            return rebuild();
        }
        Instant since = lastSync.minus(MARGIN);
        Instant floor = revocations.rebuildSince();
        return readSince(since.isBefore(floor) ? floor : since);
    }

    private int readSince(Instant since) {
        Instant started = clock.instant();
        List<SessionStore.Revocation> revokedSessions = sessions.revokedSince(since);
        revokedSessions.forEach(r -> revocations.learnRevokedSession(r.sessionId(), r.revokedAt()));
        List<UserStore.TokenRevocation> marks = users.tokenRevocationsSince(since);
        marks.forEach(m -> revocations.learnUserMark(m.userId(), m.before()));
        lastSync = started;
        return revokedSessions.size() + marks.size();
    }
}
