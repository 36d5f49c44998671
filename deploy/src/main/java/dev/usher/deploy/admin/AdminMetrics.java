package dev.usher.deploy.admin;

import dev.usher.proxy.MeterClock;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The process-wide Prometheus registry: the data plane records into it, {@code /metrics} scrapes it.
 *
 * <p>Its clock is {@link MeterClock}: a request's timer records on an event loop read the wall clock once per batch of
 * I/O events. JVM memory, GC, threads and CPU are bound here, as is the memory of Netty's buffer allocators (the data plane's
 * own footprint). Close it on shutdown: the GC binder holds JMX listeners.
 */
public final class AdminMetrics implements AutoCloseable {

    private final PrometheusMeterRegistry registry =
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), MeterClock.INSTANCE);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    private AdminMetrics() {}

    /** A registry with the JVM and Netty allocator meters bound. */
    public static AdminMetrics create() {
        AdminMetrics metrics = new AdminMetrics();
        new JvmMemoryMetrics().bindTo(metrics.registry);
        metrics.gc.bindTo(metrics.registry);
        new JvmThreadMetrics().bindTo(metrics.registry);
        new ProcessorMetrics().bindTo(metrics.registry);
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
            new NettyAllocatorMetrics(provider).bindTo(metrics.registry);
        }
        return metrics;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
