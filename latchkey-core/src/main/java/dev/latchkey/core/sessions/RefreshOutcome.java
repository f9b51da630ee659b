package dev.latchkey.core.sessions;

import dev.latchkey.core.errors.ErrorCode;

/** What a refresh attempt came to, once carried out. */
public sealed interface RefreshOutcome {

    /** {@code replayed} is true when the answer repeats the successor of a rotation that already happened. */
    record Refreshed(OpenedSession session, boolean replayed) implements RefreshOutcome {}

    /** The 401 to answer; {@code session} is the family concerned when there is one (null otherwise). */
    record Refused(ErrorCode code, Session session, RefreshDecision decision) implements RefreshOutcome {}
}
