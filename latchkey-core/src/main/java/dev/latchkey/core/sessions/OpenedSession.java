package dev.latchkey.core.sessions;

/** A session just created or rotated: the stored state, plus the raw tokens only the client ever sees. */
public record OpenedSession(Session session, String refreshToken, String csrfToken) {
    @Override
    public String toString() {
        return "OpenedSession[session=" + session.id() + ", tokens=<redacted>]";
    }
}
