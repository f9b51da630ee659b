package dev.latchkey.core.audit;

import java.util.Optional;

/** Every kind of event the audit trail records, with the stable name stored and logged for it. */
public enum AuditEventType {
    REGISTER("register"),
    LOGIN_SUCCESS("login.success"),
    LOGIN_FAILURE("login.failure"),
    REFRESH("refresh"),
    REFRESH_REUSE_DETECTED("refresh.reuse_detected"),
    LOGOUT("logout"),
    LOGOUT_ALL("logout.all"),
    PASSWORD_CHANGE("password.change"),
    SESSION_REVOKE("session.revoke"),
    ROLE_CHANGE("role.change"),
    FORCED_LOGOUT("logout.forced"),
    USER_DISABLE("user.disable"),
    USER_ENABLE("user.enable"),
    USER_DELETE("user.delete"),
    /** An account made by {@code latchkey users create} (one made over HTTP is a {@link #REGISTER}). */
    USER_CREATE("user.create"),
    /** An account taken over with its password hash by {@code latchkey users import}. */
    USER_IMPORT("user.import"),
    /** A signing key pre-published by {@code latchkey keys generate}. */
    KEY_GENERATE("key.generate"),
    /** A signing key activated by {@code latchkey keys rotate}. */
    KEY_ROTATE("key.rotate"),
    RATE_LIMITED("rate_limited"),
    PASSWORD_RESET_REQUESTED("password.reset_requested"),
    PASSWORD_RESET("password.reset"),
    EMAIL_VERIFIED("email.verified");

    private final String wireName;

    AuditEventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<AuditEventType> fromWireName(String name) {
        for (AuditEventType type : values()) {
            if (type.wireName.equals(name)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
