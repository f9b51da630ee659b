package dev.latchkey.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AuditEventTest {
    @Test
    void rendersOneEscapedJsonLine() {
        AuditEvent event = AuditEvent.of(Instant.parse("2030-01-01T00:00:00Z"), AuditEventType.LOGIN_FAILURE,
                        AuditOutcome.FAILURE)
                .withUser("u1").withClient("203.0.113.9", "Evil \"agent\"\n\u0001\\")
                .withDetail("reason", "invalid_credentials");

        assertThat(event.toJson()).isEqualTo("{\"event\":\"audit\",\"occurredAt\":\"2030-01-01T00:00:00Z\","
                + "\"type\":\"login.failure\",\"outcome\":\"failure\",\"userId\":\"u1\",\"ip\":\"203.0.113.9\","
                + "\"userAgent\":\"Evil \\\"agent\\\"\\n\\u0001\\\\\",\"details\":{\"reason\":\"invalid_credentials\"}}");
        assertThat(event.toJson()).doesNotContain("\n");
    }

    @Test
    void valuesAreBounded() {
        AuditEvent event = AuditEvent.of(Instant.EPOCH, AuditEventType.REGISTER, AuditOutcome.SUCCESS)
                .withClient("x".repeat(100), "y".repeat(10_000)).withDetail("k", "z".repeat(1000));
        assertThat(event.ip()).hasSize(64);
        assertThat(event.userAgent()).hasSize(AuditEvent.MAX_USER_AGENT_LENGTH);
        assertThat(event.details().get("k")).hasSize(AuditEvent.MAX_DETAIL_LENGTH);
    }

    @Test
    void everyTypeHasAStableUniqueName() {
        assertThat(Arrays.stream(AuditEventType.values()).map(AuditEventType::wireName)).doesNotHaveDuplicates();
        for (AuditEventType type : AuditEventType.values()) {
            assertThat(AuditEventType.fromWireName(type.wireName())).contains(type);
        }
    }
}
