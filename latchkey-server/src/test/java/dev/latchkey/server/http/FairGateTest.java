package dev.latchkey.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.core.errors.ErrorCode;
import dev.latchkey.core.errors.LatchkeyException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FairGateTest {

    @Test
    void noMoreThanItsPermitsWorkAtOnce() throws Exception {
        FairGate gate = new FairGate(3, Duration.ofSeconds(30));
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            threads.add(Thread.ofVirtual().start(() -> gate.run(() -> {
                most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                sleep(15);
                inside.decrementAndGet();
            })));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(most.get()).isEqualTo(3);
        assertThat(gate.waiting()).isZero();
    }

    @Test
    void waitersGoInTheOrderTheyCameAndNewcomersQueueBehindThem() throws Exception {
        FairGate gate = new FairGate(1, Duration.ofSeconds(30));
        List<Integer> order = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        // the holder comes straight back for another turn the moment it lets go: an unfair gate
        // would hand it the permit ahead of the ten already waiting
        Thread holder = holdTheOnlyPermit(gate, release, () -> gate.run(() -> order.add(99)));

        List<Thread> waiters = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int n = i;
            waiters.add(Thread.ofVirtual().start(() -> gate.run(() -> order.add(n))));
            waitUntil(() -> gate.waiting() == n + 1); // queued before the next one arrives
        }
        release.countDown();
        holder.join();
        for (Thread t : waiters) {
            t.join();
        }
        assertThat(order).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 99);
    }

    @Test
    void aRequestThatCannotStartInTimeIsToldToRetryAndIsNotRun() throws Exception {
        FairGate gate = new FairGate(1, Duration.ofMillis(50));
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = holdTheOnlyPermit(gate, release, () -> { });
        AtomicBoolean ran = new AtomicBoolean();

        assertThatThrownBy(() -> gate.run(() -> ran.set(true)))
                .isInstanceOfSatisfying(LatchkeyException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
                    assertThat(e.retryAfter()).contains(FairGate.RETRY_AFTER);
                });
        assertThat(ran).isFalse();
        release.countDown();
        holder.join();
        assertThat(gate.run(() -> "after")).isEqualTo("after");
    }

    @Test
    void workThatFailsGivesItsTurnBack() {
        FairGate gate = new FairGate(1, Duration.ofMillis(100));
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> gate.run(() -> {
                throw new IllegalStateException("refused");
            })).hasMessage("refused");
        }
        assertThat(gate.run(() -> "still open")).isEqualTo("still open");
    }

    @Test
    void zeroPermitsMeansNoLimit() throws Exception {
        FairGate gate = new FairGate(0, Duration.ZERO);
        CountDownLatch all = new CountDownLatch(50);
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            threads.add(Thread.ofVirtual().start(() -> gate.run(() -> {
                all.countDown();
                await(release);
            })));
        }
        assertThat(all.await(10, TimeUnit.SECONDS)).isTrue(); // all fifty inside at once
        release.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThatThrownBy(() -> new FairGate(-1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * A thread that takes the gate's only permit and keeps it until {@code release} opens, then
     * runs {@code afterwards}; returns once the permit is held.
     */
    private static Thread holdTheOnlyPermit(FairGate gate, CountDownLatch release, Runnable afterwards)
            throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        Thread holder = Thread.ofVirtual().start(() -> {
            gate.run(() -> {
                holding.countDown();
                await(release);
            });
            afterwards.run();
        });
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        return holder;
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in 10 s");
            }
            Thread.sleep(1);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
