package dev.latchkey.server.http;

import dev.latchkey.core.errors.ErrorCode;

/** The one place where error codes meet HTTP statuses. */
final class ErrorStatus {
    private ErrorStatus() {
    }

    static int of(ErrorCode code) {
        return switch (code) {
            case VALIDATION_FAILED, EMAIL_TOKEN_INVALID -> 400;
            case INVALID_CREDENTIALS, TOKEN_MISSING, TOKEN_EXPIRED, TOKEN_INVALID, TOKEN_REVOKED,
                 REFRESH_TOKEN_MISSING, REFRESH_TOKEN_INVALID, REFRESH_TOKEN_REUSED, SESSION_EXPIRED -> 401;
            case FORBIDDEN, CSRF_FAILED, EMAIL_NOT_VERIFIED -> 403;
            case NOT_FOUND -> 404;
            case METHOD_NOT_ALLOWED -> 405;
            case EMAIL_TAKEN, LAST_ADMIN -> 409;
            case PAYLOAD_TOO_LARGE -> 413;
            case REQUEST_TOO_LARGE -> 431;
            case RATE_LIMITED -> 429;
            case INTERNAL_ERROR -> 500;
            case SERVICE_UNAVAILABLE -> 503;
        };
    }
}
