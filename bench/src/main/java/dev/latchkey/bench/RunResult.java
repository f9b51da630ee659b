package dev.latchkey.bench;

import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The numbers of one scenario run at one client count. Only calls that both started after the
 * warm-up and ended before the end of the measured window count.
 *
 * @param requests     calls counted (successes and errors)
 * @param latencyMicros latency of every counted call, in microseconds
 * @param errors       counted calls that failed, by error key
 * @param otherErrors  failures outside the counted calls: during warm-up, at the window's edges,
 *                     or in setup (register, re-login), by phase and key
 * @param reopens      re-logins after a broken session, during the whole run
 * @param serverMaxRssKib highest VmRSS of the server sampled from the start of warm-up to the end
 * @param serverCpu    server CPU time over the measured window, in cores (1.0 = one core busy)
 * @param benchCpu     this load generator's CPU time over the measured window, in cores
 * @param machineCpu   busy CPU time of the whole machine over the measured window, in cores
 * @param loadAverage  the 1-minute load average at the end of the measured window
 */
record RunResult(String scenario, String engine, int clients, String httpClientMode, double measuredSeconds,
                 long requests, Histogram latencyMicros, Map<String, Long> errors, Map<String, Long> otherErrors,
                 long reopens, long serverMaxRssKib, double serverCpu, double benchCpu,
                 double machineCpu, String loadAverage) {

    /** CPU used by everything but the server and the load generator (PostgreSQL, other work), in cores. */
    double otherCpu() {
        return Math.max(0, machineCpu - serverCpu - benchCpu);
    }

    long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    double requestsPerSecond() {
        return requests / measuredSeconds;
    }

    double successesPerSecond() {
        return (requests - errorCount()) / measuredSeconds;
    }

    double millis(double percentile) {
        return latencyMicros.getTotalCount() == 0 ? Double.NaN : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }

    double maxMillis() {
        return latencyMicros.getTotalCount() == 0 ? Double.NaN : latencyMicros.getMaxValue() / 1000.0;
    }
}
