package dev.latchkey.core.sessions;

import dev.latchkey.core.errors.ErrorCode;

/**
 * What to do with a presented refresh token, as decided by {@link RefreshDecisions}. The store
 * and the HTTP edge only carry out what is decided here.
 *
 * <p>Two outcomes answer {@code 200}: {@link Rotate} and {@link ReplayWithinGrace}. The others
 * are {@link Refused} and carry the {@code 401} code the edge answers with (and a 401 from
 * refresh clears the cookies).
 */
public sealed interface RefreshDecision {

    /** The presented token is the session's current one: rotate it (compare-and-set). */
    record Rotate(Session session) implements RefreshDecision {}

    /**
     * The presented token is the one just replaced, inside the grace window, and the sealed
     * successor is there: open it with the presented raw token and answer with that same
     * successor. Nothing is revoked, nothing new is created.
     */
    record ReplayWithinGrace(Session session) implements RefreshDecision {}

    /** Outcomes that end in a {@code 401}. */
    sealed interface Refused extends RefreshDecision {
        /** The code the HTTP edge answers with. */
        ErrorCode errorCode();
    }

    /**
     * A token of this session that must not be used again: an older generation, or the
     * predecessor after the grace window (or without a sealed successor to replay). The edge
     * revokes the whole session (this family only), records an audit event and answers
     * {@code REFRESH_TOKEN_REUSED}.
     */
    record Reused(Session session) implements Refused {
        @Override
        public ErrorCode errorCode() {
            return ErrorCode.REFRESH_TOKEN_REUSED;
        }
    }

    /** No session ever issued this token. Answer {@code REFRESH_TOKEN_INVALID}. */
    record Invalid() implements Refused {
        @Override
        public ErrorCode errorCode() {
            return ErrorCode.REFRESH_TOKEN_INVALID;
        }
    }

    /** The session's idle or absolute lifetime has passed. Answer {@code SESSION_EXPIRED}. */
    record Expired(Session session) implements Refused {
        @Override
        public ErrorCode errorCode() {
            return ErrorCode.SESSION_EXPIRED;
        }
    }

    /**
     * The session was already revoked (logout, logout everywhere, an admin, or an earlier
     * detected reuse). The answer is {@code REFRESH_TOKEN_INVALID}: the session record does not
     * say why it was revoked, and the reuse that caused a reuse-revocation was already answered
     * with {@code REFRESH_TOKEN_REUSED} and audited when it was detected; repeating that code
     * for a plain logged-out session would raise false alarms. Nothing further is revoked.
     */
    record Revoked(Session session) implements Refused {
        @Override
        public ErrorCode errorCode() {
            return ErrorCode.REFRESH_TOKEN_INVALID;
        }
    }
}
