package dev.latchkey.server.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.slf4j.event.KeyValuePair;

/**
 * One flat JSON object per line: {@code timestamp}, {@code level}, {@code logger},
 * {@code thread}, {@code message}, then the MDC entries (such as {@code request_id}) and the
 * event's key-value pairs as top-level fields, and {@code exception} with the stack trace when
 * there is one. Fields never overwrite the fixed ones.
 */
public final class JsonLogEncoder extends EncoderBase<ILoggingEvent> {
    private static final Set<String> FIXED = Set.of("timestamp", "level", "logger", "thread", "message", "exception");
    private static final byte[] NO_BYTES = new byte[0];

    /** Buffers from a pool shared by all threads: per-thread ones are new for every virtual thread, so every line. */
    private final JsonFactory json = JsonFactory.builder().recyclerPool(JsonRecyclerPools.sharedBoundedPool()).build();

    @Override
    public byte[] headerBytes() {
        return NO_BYTES;
    }

    @Override
    public byte[] footerBytes() {
        return NO_BYTES;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("timestamp", Instant.ofEpochMilli(event.getTimeStamp()).toString());
            g.writeStringField("level", event.getLevel().toString());
            g.writeStringField("logger", event.getLoggerName());
            g.writeStringField("thread", event.getThreadName());
            g.writeStringField("message", event.getFormattedMessage());
            Map<String, String> mdc = event.getMDCPropertyMap();
            if (mdc != null) {
                for (Map.Entry<String, String> e : mdc.entrySet()) {
                    if (!FIXED.contains(e.getKey())) {
                        g.writeStringField(e.getKey(), e.getValue());
                    }
                }
            }
            if (event.getKeyValuePairs() != null) {
                for (KeyValuePair pair : event.getKeyValuePairs()) {
                    if (FIXED.contains(pair.key) || (mdc != null && mdc.containsKey(pair.key))) {
                        continue;
                    }
                    writeValue(g, pair.key, pair.value);
                }
            }
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                g.writeStringField("exception", ThrowableProxyUtil.asString(thrown));
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static void writeValue(JsonGenerator g, String key, Object value) throws IOException {
        switch (value) {
            case null -> g.writeNullField(key);
            case Integer i -> g.writeNumberField(key, i);
            case Long l -> g.writeNumberField(key, l);
            case Double d -> g.writeNumberField(key, d);
            case Boolean b -> g.writeBooleanField(key, b);
            default -> g.writeStringField(key, value.toString());
        }
    }
}
