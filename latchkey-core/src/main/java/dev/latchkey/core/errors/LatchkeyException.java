package dev.latchkey.core.errors;

import java.util.Map;

/**
 * A refusal the caller is meant to see: a stable code, a sentence for people and, for
 * validation failures, the bad fields with what is wrong with each.
 */
public final class LatchkeyException extends RuntimeException {
    private final ErrorCode code;
    private final Map<String, String> fields;

    public LatchkeyException(ErrorCode code, String message) {
        this(code, message, Map.of());
    }

    public LatchkeyException(ErrorCode code, String message, Map<String, String> fields) {
        super(message, null, false, false);
        this.code = code;
        this.fields = Map.copyOf(fields);
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
}
