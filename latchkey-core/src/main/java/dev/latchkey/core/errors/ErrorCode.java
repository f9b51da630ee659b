package dev.latchkey.core.errors;

/**
 * Every stable machine code Latchkey answers with. The HTTP edge maps each to a status in one
 * place; nothing else builds error bodies.
 */
public enum ErrorCode {
    VALIDATION_FAILED,
    PAYLOAD_TOO_LARGE,
    REQUEST_TOO_LARGE,
    EMAIL_TAKEN,
    LAST_ADMIN,
    INVALID_CREDENTIALS,
    EMAIL_NOT_VERIFIED,
    EMAIL_TOKEN_INVALID,
    RATE_LIMITED,
    TOKEN_MISSING,
    TOKEN_EXPIRED,
    TOKEN_INVALID,
    TOKEN_REVOKED,
    FORBIDDEN,
    NOT_FOUND,
    METHOD_NOT_ALLOWED,
    REFRESH_TOKEN_MISSING,
    REFRESH_TOKEN_INVALID,
    REFRESH_TOKEN_REUSED,
    SESSION_EXPIRED,
    CSRF_FAILED,
    SERVICE_UNAVAILABLE,
    INTERNAL_ERROR
}
