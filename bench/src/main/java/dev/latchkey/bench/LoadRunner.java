package dev.latchkey.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Runs a {@link Scenario} with N clients, each on its own virtual thread, closed-loop (a client
 * sends its next call when the previous one is answered): all clients get ready ({@code open}),
 * then run together for the warm-up (not counted) and the measured window.
 *
 * <p>Each client records into its own histogram (no contention); they are merged at the end.
 * A platform thread samples the server's resident memory every 100 ms and the CPU time of the
 * server and of this process at the edges of the measured window.
 */
final class LoadRunner {
    private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(2);
    private static final int SETUP_ATTEMPTS = 5;

    private LoadRunner() {
    }

    static RunResult run(Scenario scenario, String engine, String httpClientMode, int clients, Duration warmup,
                         Duration measure, long serverPid) throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(clients);
        CountDownLatch go = new CountDownLatch(1);
        Window window = new Window();
        Map<String, LongAdder> errors = new ConcurrentHashMap<>();
        Map<String, LongAdder> otherErrors = new ConcurrentHashMap<>();
        LongAdder reopens = new LongAdder();
        List<Histogram> histograms = new ArrayList<>();
        List<long[]> counts = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();

        for (int i = 0; i < clients; i++) {
            Histogram histogram = new Histogram(HIGHEST_MICROS, 3);
            long[] count = new long[1];
            histograms.add(histogram);
            counts.add(count);
            int index = i;
            threads.add(Thread.ofVirtual().name("client-" + i).start(() -> {
                try {
                    Scenario.Worker worker = scenario.newWorker(index);
                    boolean opened = openForSetup(worker, otherErrors);
                    ready.countDown();
                    go.await();
                    if (opened) {
                        loop(worker, window, histogram, count, errors, otherErrors, reopens);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        ready.await();

        long start = System.nanoTime();
        window.warmEnd = start + warmup.toNanos();
        window.end = window.warmEnd + measure.toNanos();
        Sampler sampler = new Sampler(serverPid, window);
        Thread samplerThread = Thread.ofPlatform().daemon().name("bench-sampler").start(sampler);
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        sampler.stop = true;
        samplerThread.join();

        Histogram merged = new Histogram(HIGHEST_MICROS, 3);
        histograms.forEach(merged::add);
        long requests = counts.stream().mapToLong(c -> c[0]).sum();
        double seconds = measure.toNanos() / 1e9;
        return new RunResult(scenario.name(), engine, clients, httpClientMode, seconds, requests, merged,
                snapshot(errors), snapshot(otherErrors), reopens.sum(), sampler.maxRssKib.get(),
                sampler.serverCpuNanos() / (double) measure.toNanos(), sampler.benchCpuNanos() / (double) measure.toNanos(),
                sampler.machineCpuNanos() / (double) measure.toNanos(), sampler.loadAtEnd);
    }

    private static boolean openForSetup(Scenario.Worker worker, Map<String, LongAdder> otherErrors)
            throws InterruptedException {
        for (int attempt = 1; attempt <= SETUP_ATTEMPTS; attempt++) {
            try {
                worker.open();
                return true;
            } catch (Scenario.CallFailed e) {
                count(otherErrors, "setup: " + e.key());
                Thread.sleep(100L * attempt);
            }
        }
        return false;
    }

    private static void loop(Scenario.Worker worker, Window window, Histogram histogram, long[] count,
                             Map<String, LongAdder> errors, Map<String, LongAdder> otherErrors, LongAdder reopens)
            throws InterruptedException {
        long warmEnd = window.warmEnd;
        long end = window.end;
        long t0;
        while ((t0 = System.nanoTime()) < end) {
            if (worker.broken()) {
                reopens.increment();
                try {
                    worker.open();
                } catch (Scenario.CallFailed e) {
                    count(otherErrors, (t0 < warmEnd ? "warm-up re-login: " : "measured window re-login: ") + e.key());
                    Thread.sleep(50);
                }
                continue;
            }
            String error = worker.step();
            long t1 = System.nanoTime();
            if (t0 >= warmEnd && t1 <= end) {
                histogram.recordValue(Math.min(HIGHEST_MICROS, (t1 - t0) / 1000));
                count[0]++;
                if (error != null) {
                    count(errors, error);
                }
            } else if (error != null) {
                count(otherErrors, (t0 < warmEnd ? "warm-up: " : "straddling the end: ") + error);
            }
            long pause = worker.pauseMillis();
            if (pause > 0) {
                Thread.sleep(Math.min(pause, Math.max(0, (end - System.nanoTime()) / 1_000_000)));
            }
        }
    }

    private static void count(Map<String, LongAdder> tally, String key) {
        tally.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> tally) {
        Map<String, Long> out = new TreeMap<>();
        tally.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** The run's phases, in {@link System#nanoTime()} units; written before the start signal. */
    static final class Window {
        long warmEnd;
        long end;
    }

    /** Samples VmRSS of the server, and CPU times at the edges of the measured window. */
    static final class Sampler implements Runnable {
        private final long serverPid;
        private final long selfPid;
        private final long warmEnd;
        private final long end;
        final AtomicLong maxRssKib = new AtomicLong(-1);
        volatile boolean stop;
        private long serverCpuAtStart = -1;
        private long serverCpuAtEnd = -1;
        private long benchCpuAtStart = -1;
        private long benchCpuAtEnd = -1;
        private long machineAtStart = -1;
        private long machineAtEnd = -1;
        volatile String loadAtEnd = "?";

        Sampler(long serverPid, Window window) {
            this(serverPid, ProcessHandle.current().pid(), window);
        }

        /** {@code loadPid}: the load generator's process (this one, or an external one such as wrk). */
        Sampler(long serverPid, long loadPid, Window window) {
            this.serverPid = serverPid;
            this.selfPid = loadPid;
            this.warmEnd = window.warmEnd;
            this.end = window.end;
        }

        @Override
        public void run() {
            while (!stop) {
                long now = System.nanoTime();
                maxRssKib.accumulateAndGet(ProcStats.rssKib(serverPid), Math::max);
                if (serverCpuAtStart < 0 && now >= warmEnd) {
                    serverCpuAtStart = ProcStats.cpuNanos(serverPid);
                    benchCpuAtStart = ProcStats.cpuNanos(selfPid);
                    machineAtStart = ProcStats.machineBusyNanos();
                }
                if (serverCpuAtEnd < 0 && now >= end) {
                    serverCpuAtEnd = ProcStats.cpuNanos(serverPid);
                    benchCpuAtEnd = ProcStats.cpuNanos(selfPid);
                    machineAtEnd = ProcStats.machineBusyNanos();
                    loadAtEnd = ProcStats.loadAverage();
                }
                // sample precisely at the window's edges, else every 100 ms
                long next = now + TimeUnit.MILLISECONDS.toNanos(100);
                if (serverCpuAtStart < 0) {
                    next = Math.min(next, warmEnd);
                } else if (serverCpuAtEnd < 0) {
                    next = Math.min(next, end);
                }
                long sleep = Math.max(0, next - System.nanoTime());
                try {
                    TimeUnit.NANOSECONDS.sleep(sleep);
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (serverCpuAtEnd < 0) {
                // the last clients finished while this thread slept past the end
                serverCpuAtEnd = ProcStats.cpuNanos(serverPid);
                benchCpuAtEnd = ProcStats.cpuNanos(selfPid);
                machineAtEnd = ProcStats.machineBusyNanos();
                loadAtEnd = ProcStats.loadAverage();
            }
        }

        long serverCpuNanos() {
            return serverCpuAtStart < 0 || serverCpuAtEnd < 0 ? -1 : serverCpuAtEnd - serverCpuAtStart;
        }

        long machineCpuNanos() {
            return machineAtStart < 0 || machineAtEnd < 0 ? -1 : machineAtEnd - machineAtStart;
        }

        long benchCpuNanos() {
            return benchCpuAtStart < 0 || benchCpuAtEnd < 0 ? -1 : benchCpuAtEnd - benchCpuAtStart;
        }
    }
}
