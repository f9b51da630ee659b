package dev.latchkey.core.sessions;

import dev.latchkey.core.accounts.User;

/** A session together with the user it belongs to, as one read gives them. */
public record OwnedSession(Session session, User owner) {}
