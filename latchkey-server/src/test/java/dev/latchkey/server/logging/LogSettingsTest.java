package dev.latchkey.server.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latchkey.server.config.ConfigException;
import dev.latchkey.server.config.LatchkeyConfig;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class LogSettingsTest {

    @Test
    void autoIsTextOnATerminalAndJsonOtherwise() {
        assertThat(LogSettings.effectiveFormat(Map.of(), true)).isEqualTo("text");
        assertThat(LogSettings.effectiveFormat(Map.of(), false)).isEqualTo("json");
        assertThat(LogSettings.effectiveFormat(Map.of("LATCHKEY_LOG_FORMAT", "auto"), false)).isEqualTo("json");
        assertThat(LogSettings.effectiveFormat(Map.of("LATCHKEY_LOG_FORMAT", "JSON"), true)).isEqualTo("json");
        assertThat(LogSettings.effectiveFormat(Map.of("LATCHKEY_LOG_FORMAT", "text"), false)).isEqualTo("text");
    }

    @Test
    void levels() {
        assertThat(LogSettings.level(null)).isEqualTo("INFO");
        assertThat(LogSettings.level("debug")).isEqualTo("DEBUG");
        assertThat(LogSettings.level("loud")).isNull();
    }

    @Test
    void theConfigurationRefusesABadFormatOrLevelNamingTheVariable() {
        assertThatThrownBy(() -> LatchkeyConfig.from(Map.of("LATCHKEY_LOG_FORMAT", "xml")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("LATCHKEY_LOG_FORMAT: ").hasMessageContaining("'xml'");
        assertThatThrownBy(() -> LatchkeyConfig.from(Map.of("LATCHKEY_LOG_LEVEL", "loud")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("LATCHKEY_LOG_LEVEL: ");
        assertThatThrownBy(() -> LatchkeyConfig.from(Map.of("LATCHKEY_METRICS_ENABLED", "maybe")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("LATCHKEY_METRICS_ENABLED: ");
        LatchkeyConfig.Operations ops = LatchkeyConfig.from(Map.of("LATCHKEY_LOG_FORMAT", "Text", "LATCHKEY_LOG_LEVEL", "warn",
                "LATCHKEY_METRICS_ENABLED", "false")).operations();
        assertThat(ops).isEqualTo(new LatchkeyConfig.Operations(false, "text", "WARN"));
        assertThat(LatchkeyConfig.from(Map.of()).operations()).isEqualTo(new LatchkeyConfig.Operations(true, "auto", "INFO"));
    }

    @Test
    void jsonEncoderWritesOneFlatObjectPerLineWithMdcAndKeyValues() throws Exception {
        JsonLogEncoder encoder = new JsonLogEncoder();
        LoggerContext context = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        encoder.setContext(context);
        encoder.start();
        LoggingEvent event = new LoggingEvent("x", context.getLogger("latchkey.access"), Level.INFO,
                "GET {} \"quoted\"\nsecond line", null, new Object[] {"/healthz"});
        MDC.put("request_id", "rid-1");
        try {
            event.prepareForDeferredProcessing();
            event.addKeyValuePair(new org.slf4j.event.KeyValuePair("status", 200));
            event.addKeyValuePair(new org.slf4j.event.KeyValuePair("level", "overridden?"));
        } finally {
            MDC.remove("request_id");
        }

        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);

        assertThat(line).endsWith("\n");
        assertThat(line.strip()).doesNotContain("\n");
        JsonNode node = new ObjectMapper().readTree(line);
        assertThat(node.get("level").asText()).isEqualTo("INFO");
        assertThat(node.get("logger").asText()).isEqualTo("latchkey.access");
        assertThat(node.get("message").asText()).isEqualTo("GET /healthz \"quoted\"\nsecond line");
        assertThat(node.get("request_id").asText()).isEqualTo("rid-1");
        assertThat(node.get("status").asInt()).isEqualTo(200);
    }
}
