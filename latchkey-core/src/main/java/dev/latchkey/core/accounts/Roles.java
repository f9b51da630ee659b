package dev.latchkey.core.accounts;

import java.util.Set;

/** The roles Latchkey knows. Every new account is a {@code user}. */
public final class Roles {
    public static final String USER = "user";
    public static final String ADMIN = "admin";
    public static final Set<String> ALL = Set.of(USER, ADMIN);

    private Roles() {
    }
}
