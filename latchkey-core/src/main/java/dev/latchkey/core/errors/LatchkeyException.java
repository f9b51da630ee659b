package dev.latchkey.core.errors;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A refusal the caller is meant to see: a stable code, a sentence for people and, for
 * validation failures, the bad fields with what is wrong with each.
 */
public final class LatchkeyException extends RuntimeException {
    private final ErrorCode code;
    private final Map<String, String> fields;
    private final Duration retryAfter;

    public LatchkeyException(ErrorCode code, String message) {
        this(code, message, Map.of());
    }

    public LatchkeyException(ErrorCode code, String message, Map<String, String> fields) {
        this(code, message, fields, null);
    }

    private LatchkeyException(ErrorCode code, String message, Map<String, String> fields, Duration retryAfter) {
        super(message, null, false, false);
        this.code = code;
        this.fields = Map.copyOf(fields);
        this.retryAfter = retryAfter;
    }

    /** A refusal the caller may retry after {@code retryAfter} (answered with {@code Retry-After}). */
    public static LatchkeyException retryLater(ErrorCode code, String message, Duration retryAfter) {
        return new LatchkeyException(code, message, Map.of(), retryAfter);
    }

    /**
     * {@code 503 SERVICE_UNAVAILABLE}: work that is shed rather than queued without bound (password
     * hashing, refreshes waiting their turn), to be retried after {@code retryAfter}.
     */
    public static LatchkeyException busy(Duration retryAfter) {
        return retryLater(ErrorCode.SERVICE_UNAVAILABLE, "The server is busy; try again shortly.", retryAfter);
    }

    public static LatchkeyException validation(String field, String problem) {
        return new LatchkeyException(ErrorCode.VALIDATION_FAILED, "The request is not valid.", Map.of(field, problem));
    }

    public ErrorCode code() {
        return code;
    }

    public Map<String, String> fields() {
        return fields;
    }

    /** How long the caller should wait before trying again, when the refusal says so. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
