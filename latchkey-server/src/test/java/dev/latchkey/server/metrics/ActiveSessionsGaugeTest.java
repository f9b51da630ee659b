package dev.latchkey.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ActiveSessionsGaugeTest {

    @Test
    void keepsTheLastCountWhileCountingFails() {
        AtomicLong count = new AtomicLong(3);
        AtomicBoolean down = new AtomicBoolean();
        ActiveSessionsGauge gauge = new ActiveSessionsGauge(() -> {
            if (down.get()) {
                throw new IllegalStateException("database down");
            }
            return count.get();
        }, Duration.ofSeconds(30));

        assertThat(gauge.value()).as("before the first count").isNaN();
        gauge.refresh();
        assertThat(gauge.value()).isEqualTo(3.0);

        down.set(true);
        count.set(7);
        gauge.refresh();
        assertThat(gauge.value()).isEqualTo(3.0);

        down.set(false);
        gauge.refresh();
        assertThat(gauge.value()).isEqualTo(7.0);
    }
}
