package dev.latchkey.server.metrics;

import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.latchkey.store.Database;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Latchkey's figures, in one Prometheus registry: HTTP requests by route template and status,
 * logins and refreshes by outcome, live sessions, the connection pool and the JVM.
 *
 * <p>Every label value comes from a bounded set (route templates, status codes, outcome names
 * taken from error codes), never from raw request data, so the number of series stays bounded
 * whatever clients send.
 */
public final class LatchkeyMetrics implements AutoCloseable {
    /** The route label of requests that matched no route (probes, typos, scanners). */
    public static final String UNMATCHED = "unmatched";

    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS_TEXT = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /** Outcomes registered at zero from the start, so that rate() and alerts see the series before the first event. */
    private static final List<String> LOGIN_OUTCOMES = List.of("success", "invalid_credentials", "validation_failed");
    private static final List<String> REFRESH_OUTCOMES = List.of("rotated", "replayed_in_grace", "reused", "invalid",
            "expired", "missing", "csrf_failed");

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gcMetrics;
    /**
     * The request timers by label set. Building a meter and asking the registry for it costs
     * more than recording; the label sets are bounded (see above), so each is built once.
     */
    private final ConcurrentMap<RequestLabels, Timer> requestTimers = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> loginCounters = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> refreshCounters = new ConcurrentHashMap<>();

    private record RequestLabels(String method, String route, int status) {}

    private LatchkeyMetrics(PrometheusMeterRegistry registry, JvmGcMetrics gcMetrics) {
        this.registry = registry;
        this.gcMetrics = gcMetrics;
    }

    /** A registry with the JVM's figures bound (memory, GC, threads, class loading, CPU, uptime). */
    public static LatchkeyMetrics create() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        LOGIN_OUTCOMES.forEach(outcome -> loginCounter(registry, outcome));
        REFRESH_OUTCOMES.forEach(outcome -> refreshCounter(registry, outcome));
        return new LatchkeyMetrics(registry, gc);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** One answered HTTP request; {@code route} is the matched route template or {@link #UNMATCHED}. */
    public void recordRequest(String method, String route, int status, long durationNanos) {
        requestTimers.computeIfAbsent(new RequestLabels(method, route, status), labels -> Timer.builder("http.server.requests")
                .description("HTTP requests answered, by method, route template and status")
                .tag("method", labels.method())
                .tag("route", labels.route())
                .tag("status", Integer.toString(labels.status()))
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry))
                .record(durationNanos, TimeUnit.NANOSECONDS);
    }

    /** A login attempt's outcome: {@code success} or the lowercased error code (invalid_credentials, rate_limited...). */
    public void recordLogin(String outcome) {
        loginCounters.computeIfAbsent(outcome, o -> loginCounter(registry, o)).increment();
    }

    /**
     * A refresh attempt's outcome: rotated, replayed_in_grace, reused, invalid, expired, missing,
     * csrf_failed (or another lowercased error code).
     */
    public void recordRefresh(String outcome) {
        refreshCounters.computeIfAbsent(outcome, o -> refreshCounter(registry, o)).increment();
    }

    /** Exposes the live sessions count kept by {@code gauge} (refreshed in the background, never on a scrape). */
    public void bindActiveSessions(ActiveSessionsGauge gauge) {
        Gauge.builder("latchkey.sessions.active", gauge, ActiveSessionsGauge::value)
                .description("Live sessions (not revoked, not expired), counted in the database every "
                        + gauge.interval().toSeconds() + " s")
                .register(registry);
    }

    /**
     * Exposes how many password hashing jobs wait for the bounded hashing pool. The composition
     * root calls this with the pool's queue size when there is such a pool.
     */
    public void bindHashingQueue(Supplier<Number> queueDepth) {
        queueGauge("latchkey.password.hashing.queue", "Password hashing jobs waiting for the hashing pool", queueDepth);
    }

    /** Refreshes waiting for their turn (see {@code LATCHKEY_REFRESH_CONCURRENCY}). */
    public void bindRefreshQueue(Supplier<Number> waiting) {
        queueGauge("latchkey.refresh.queue", "Refreshes waiting for their turn (LATCHKEY_REFRESH_CONCURRENCY at once)",
                waiting);
    }

    private void queueGauge(String name, String description, Supplier<Number> depth) {
        Gauge.builder(name, depth, d -> {
                    Number n = d.get();
                    return n == null ? Double.NaN : n.doubleValue();
                })
                .description(description)
                // the supplier is a method reference nobody else holds: a weak reference would let it be collected (NaN)
                .strongReference(true)
                .register(registry);
    }

    /** The connection pool's figures, as {@code hikaricp_*} series labelled with the pool name. */
    public void bindConnectionPool(Database database) {
        database.trackPoolMetrics(new MicrometerMetricsTrackerFactory(registry));
    }

    /**
     * The registry in the Prometheus text format, or OpenMetrics when {@code accept} asks for it.
     */
    public Scrape scrape(String accept) {
        boolean openMetrics = accept != null && accept.toLowerCase(Locale.ROOT).contains("application/openmetrics-text");
        String contentType = openMetrics ? OPENMETRICS_TEXT : PROMETHEUS_TEXT;
        return new Scrape(contentType, registry.scrape(contentType));
    }

    /** A scrape's body and the content type to answer it with. */
    public record Scrape(String contentType, String body) {}

    @Override
    public void close() {
        gcMetrics.close();
        registry.close();
    }

    private static Counter loginCounter(MeterRegistry registry, String outcome) {
        return Counter.builder("latchkey.logins")
                .description("Login attempts by outcome")
                .tag("outcome", outcome)
                .register(registry);
    }

    private static Counter refreshCounter(MeterRegistry registry, String outcome) {
        return Counter.builder("latchkey.refreshes")
                .description("Refresh attempts by outcome")
                .tag("outcome", outcome)
                .register(registry);
    }

    private static final Duration[] LATENCY_BUCKETS = {
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};
}
