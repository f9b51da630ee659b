package dev.latchkey.core.audit;

import java.util.Locale;

/** How the audited action ended: done, failed (wrong credentials, reused token) or refused (limits). */
public enum AuditOutcome {
    SUCCESS,
    FAILURE,
    DENIED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AuditOutcome fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
