package dev.latchkey.server.http;

import dev.latchkey.server.logging.RequestIds;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors that Jetty answers before Latchkey's routes run (an oversized header, a malformed
 * request line) still get the JSON error shape and the security headers, and never a stack
 * trace or server version.
 */
final class JettyErrors extends ErrorHandler {

    JettyErrors() {
        setShowStacks(false);
        setShowMessageInTitle(false);
    }

    @Override
    protected void generateResponse(Request request, Response response, int status, String message, Throwable cause,
                                    Callback callback) {
        String code = switch (status) {
            case 400 -> "VALIDATION_FAILED";
            case 404 -> "NOT_FOUND";
            case 405 -> "METHOD_NOT_ALLOWED";
            case 413 -> "PAYLOAD_TOO_LARGE";
            case 414, 431 -> "REQUEST_TOO_LARGE";
            case 503 -> "SERVICE_UNAVAILABLE";
            default -> status >= 500 ? "INTERNAL_ERROR" : "VALIDATION_FAILED";
        };
        String reason = HttpStatus.getMessage(status);
        String body = "{\"error\":\"" + reason.replace("\"", "'") + "\",\"code\":\"" + code + "\"}";
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("X-Frame-Options", "DENY");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(RequestIds.HEADER, RequestIds.generate());
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.US_ASCII)), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, org.eclipse.jetty.http.HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        fields.put("X-Content-Type-Options", "nosniff");
        fields.put("X-Frame-Options", "DENY");
        fields.put("Referrer-Policy", "no-referrer");
        fields.put(HttpHeader.CACHE_CONTROL, "no-store");
        fields.put(RequestIds.HEADER, RequestIds.generate());
        String code = status == 431 || status == 414 ? "REQUEST_TOO_LARGE" : "VALIDATION_FAILED";
        return ByteBuffer.wrap(("{\"error\":\"" + HttpStatus.getMessage(status) + "\",\"code\":\"" + code + "\"}")
                .getBytes(StandardCharsets.US_ASCII));
    }
}
