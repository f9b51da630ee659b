package dev.latchkey.core.passwords;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.core.errors.ErrorCode;
import dev.latchkey.core.errors.LatchkeyException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HashingPoolTest {

    @Test
    void anIdlePoolAdmitsWork() {
        try (HashingPool pool = new HashingPool(1, 1, Duration.ofMillis(1))) {
            pool.refuseIfFull();
            assertThat(pool.run(() -> "done")).isEqualTo("done");
        }
    }

    @Test
    void aFullQueueIsRefusedBeforeAnyWorkIsSubmitted() throws Exception {
        try (HashingPool pool = new HashingPool(1, 1); OccupiedPool occupied = OccupiedPool.of(pool, 1)) {
            assertThatThrownBy(pool::refuseIfFull).isInstanceOfSatisfying(LatchkeyException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
                assertThat(e.retryAfter()).hasValue(HashingPool.RETRY_AFTER);
            });
            assertThatThrownBy(() -> pool.run(() -> "late")).isInstanceOf(LatchkeyException.class);
        }
    }

    @Test
    void workThatWouldWaitPastTheBoundIsRefused() throws Exception {
        // one thread busy, nothing queued: the next job would wait about one job's time (50 ms
        // assumed before any is measured), past a 1 ms bound, though the queue has room
        try (HashingPool pool = new HashingPool(1, 10, Duration.ofMillis(1)); OccupiedPool occupied = OccupiedPool.of(pool, 0)) {
            assertThat(pool.queueDepth()).isZero();
            assertThatThrownBy(pool::refuseIfFull).isInstanceOf(LatchkeyException.class);
        }
        try (HashingPool unbounded = new HashingPool(1, 10); OccupiedPool occupied = OccupiedPool.of(unbounded, 0)) {
            unbounded.refuseIfFull(); // no time bound: room in the queue is enough
        }
    }
}
