package dev.latchkey.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.latchkey.core.errors.ErrorCode;
import dev.latchkey.core.errors.LatchkeyException;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A request's JSON object, read with a hard size limit. Callers pull typed fields and then call
 * {@link #validate()}, which refuses the request naming every bad field at once.
 */
final class JsonBody {
    static final int MAX_BYTES = 10 * 1024;

    private final ObjectNode object;
    private final Map<String, String> problems = new LinkedHashMap<>();

    private JsonBody(ObjectNode object) {
        this.object = object;
    }

    static JsonBody read(Context ctx, ObjectMapper mapper) {
        String contentType = ctx.header("Content-Type");
        String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("application/json")) {
            throw new LatchkeyException(ErrorCode.VALIDATION_FAILED, "The request body must be JSON (Content-Type: application/json).");
        }
        byte[] bytes = readBounded(ctx);
        JsonNode node;
        try {
            node = mapper.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new LatchkeyException(ErrorCode.VALIDATION_FAILED, "The request body is not valid JSON.");
        } catch (IOException e) {
            throw new LatchkeyException(ErrorCode.VALIDATION_FAILED, "The request body could not be read.");
        }
        if (!(node instanceof ObjectNode obj)) {
            throw new LatchkeyException(ErrorCode.VALIDATION_FAILED, "The request body must be a JSON object.");
        }
        return new JsonBody(obj);
    }

    /** Reads at most {@link #MAX_BYTES}; a longer body (declared or actual) is refused with 413. */
    static byte[] readBounded(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > MAX_BYTES) {
            throw tooLarge();
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw tooLarge();
            }
            return bytes;
        } catch (IOException e) {
            throw new LatchkeyException(ErrorCode.VALIDATION_FAILED, "The request body could not be read.");
        }
    }

    static LatchkeyException tooLarge() {
        return new LatchkeyException(ErrorCode.PAYLOAD_TOO_LARGE, "The request body is larger than 10 KiB.");
    }

    /** A required string field; records a problem and returns null when missing or not a string. */
    String requiredString(String field) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            problems.put(field, "is required");
            return null;
        }
        if (!value.isTextual()) {
            problems.put(field, "must be a string");
            return null;
        }
        return value.textValue();
    }

    /** Throws {@code 400 VALIDATION_FAILED} naming every field found bad so far. */
    void validate() {
        if (!problems.isEmpty()) {
            throw new LatchkeyException(ErrorCode.VALIDATION_FAILED, "The request is not valid.", problems);
        }
    }
}
