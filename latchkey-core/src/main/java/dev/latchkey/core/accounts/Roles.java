package dev.latchkey.core.accounts;

import java.util.Set;

/** The roles Latchkey knows. Every new account is a {@code user}. */
public final class Roles {
    public static final String USER = "user";
    public static final String ADMIN = "admin";
    public static final Set<String> ALL = Set.of(USER, ADMIN);

    /** The roles in a stable order, for messages. */
    public static java.util.List<String> sorted() {
        return ALL.stream().sorted().toList();
    }

    private Roles() {
    }
}
