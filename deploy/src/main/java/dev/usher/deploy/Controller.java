package dev.usher.deploy;

import dev.usher.deploy.admin.AdminMetrics;
import dev.usher.deploy.admin.AdminServer;
import dev.usher.k8s.ClusterSource;
import dev.usher.k8s.ManifestsSource;
import dev.usher.k8s.SnapshotPublisher;
import dev.usher.k8s.translate.Problem;
import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.proxy.ProxyServer;
import dev.usher.routing.RoutingTable;
import dev.usher.tls.CertificateProblem;
import dev.usher.tls.CertificateStore;
import dev.usher.tls.DefaultCertificate;
import dev.usher.tls.TlsCertificate;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Usher: the routing table, its publisher, the certificate store, the proxy listeners, the manifests
 * source and the admin server, started in a safe order and stopped with a drain.
 *
 * <p>Start-up order: metrics and admin first (so {@code /healthz} answers and {@code /readyz} says 503 while loading),
 * then the source starts (a manifests folder publishes its first load before the proxy binds; cluster mode returns at
 * once and publishes after its informers sync), then the proxy binds. {@code /readyz} turns 200 only when both
 * happened. A failure anywhere closes what was already started.
 *
 * <p>Shutdown ({@link #close()}, which the SIGTERM hook of {@code usher run} calls) has three phases: {@code /readyz}
 * turns 503 at once; Usher keeps serving normally, keep-alive connections included, for the shutdown delay, so that
 * a load balancer's health check and the Service's endpoints notice and stop sending new connections while nothing is
 * refused yet; then the drain closes the listeners and lets in-flight requests finish up to the drain timeout.
 */
public final class Controller implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Controller.class);

    /** Waits out the shutdown delay; a seam so that a test can hold the delay open and end it without timing. */
    @FunctionalInterface
    interface Pause {
        Pause SLEEP = delay -> Thread.sleep(delay.toMillis());

        void pause(Duration delay) throws InterruptedException;
    }

    private final ControllerConfig config;
    private final Pause shutdownPause;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final AdminMetrics metrics = AdminMetrics.create();
    private final RoutingTable table = new RoutingTable();
    private volatile boolean listening;
    private final StartupCollection startupCollection = new StartupCollection();
    private SnapshotPublisher publisher;
    private CertificateStore certificates;
    /** Volatile: the readiness gauge reads it from the scrape thread. */
    private volatile AdminServer admin;

    private ProxyServer proxy;
    private boolean closed;

    private Controller(ControllerConfig config, Pause shutdownPause) {
        this.config = config;
        this.shutdownPause = shutdownPause;
    }

    /**
     * Starts everything {@code config} describes; returns once the listeners are bound (with a manifests folder,
     * also after its first load is published; in cluster mode {@link #ready()} follows the informers' sync).
     *
     * @throws IOException when a port cannot be bound or the manifests folder cannot be read
     */
    public static Controller start(ControllerConfig config) throws IOException {
        return start(config, () -> new KubernetesClientBuilder().build());
    }

    /** As {@link #start(ControllerConfig)}, with the cluster-mode client from {@code clients} (tests use a mock). */
    static Controller start(ControllerConfig config, Supplier<KubernetesClient> clients) throws IOException {
        return start(config, clients, Pause.SLEEP);
    }

    /** As {@link #start(ControllerConfig, Supplier)}, waiting out the shutdown delay with {@code shutdownPause}. */
    static Controller start(ControllerConfig config, Supplier<KubernetesClient> clients, Pause shutdownPause)
            throws IOException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(clients, "clients");
        Objects.requireNonNull(shutdownPause, "shutdownPause");
        Controller controller = new Controller(config, shutdownPause);
        try {
            controller.startParts(clients);
        } catch (IOException | RuntimeException e) {
            controller.close();
            throw e;
        }
        return controller;
    }

    private void startParts(Supplier<KubernetesClient> clients) throws IOException {
        started.add(metrics);
        KubernetesClient client = null;
        if (config.manifests() == null) {
            client = clients.get();
            started.add(client);
            LOG.info("cluster mode: API server {}", client.getMasterUrl());
        }
        if (config.https()) {
            certificates = CertificateStore.create(defaultCertificate(client));
        }
        publisher = new SnapshotPublisher(table, certificates, metrics.registry());
        registerGauges(metrics.registry());
        admin = AdminServer.builder()
                .bind(config.adminBindAddress(), config.adminPort())
                .publisher(publisher)
                .metrics(metrics)
                .listenersBound(this::listeningAndCollected)
                .debugAccess(config.debugAccess())
                .certificates(certificates)
                .start();
        started.add(admin);

        // With HTTPS, the --default-ssl-certificate Secret is followed like the Ingresses' TLS Secrets: a changed
        // Secret replaces the default certificate in the store at the next publish, without a restart.
        WatcherSettings watcher = certificates == null
                ? config.watcher()
                : config.watcher().withDefaultSslCertificate(config.defaultSslCertificate());
        // ssl-passthrough takes effect only with --enable-ssl-passthrough and an HTTPS listener to read ClientHellos on
        watcher = watcher.withSslPassthrough(config.proxy().enableSslPassthrough() && certificates != null);
        if (config.proxy().enableSslPassthrough() && certificates == null) {
            LOG.warn("--enable-ssl-passthrough has no effect without an HTTPS listener");
        }
        if (client != null && watcher.zone() == null && config.nodeName() != null) {
            watcher = watcher.withZone(NodeZone.read(client, config.nodeName()));
        }
        if (watcher.zone() != null) {
            LOG.info(
                    "zone {}: Services with topology-aware routing hints are served by the endpoints hinted for it",
                    watcher.zone());
        }
        if (config.manifests() != null) {
            started.add(ManifestsSource.start(config.manifests(), watcher, publisher));
        } else {
            started.add(ClusterSource.start(client, config.watchNamespace(), watcher, publisher, config.status()));
        }

        ProxyServer.Builder builder = ProxyServer.builder()
                .routingTable(table)
                .bindAddress(config.bindAddress())
                .httpPort(config.httpPort())
                // A folder's names are the operator's own; in a cluster whoever creates a Service chooses them.
                .settings(config.proxy().toBuilder()
                        .localOriginNames(config.proxy().localOriginNames() || config.manifests() != null)
                        .build())
                .transport(config.transport())
                .meterRegistry(metrics.registry());
        if (certificates != null) {
            builder.https(config.httpsPort(), certificates);
        }
        if (config.eventLoops() > 0) {
            builder.eventLoops(config.eventLoops());
        }
        proxy = builder.build();
        proxy.start();
        listening = true;
        // With manifests the first load is published by now: the start-up's garbage is collected before anything
        // asks /readyz. In cluster mode the first probe after the first sync does it.
        if (publisher.ready()) {
            startupCollection.runOnce();
        }
        LOG.info(
                "usher listening: http {}:{}{}, admin {}:{} (debug views for {}); {}",
                config.bindAddress(),
                proxy.httpPort(),
                certificates == null
                        ? ""
                        : ", https " + config.bindAddress() + ":" + proxy.httpsPort() + " (TLS by "
                                + certificates.provider() + ")",
                config.adminBindAddress(),
                admin.port(),
                config.debugAccess(),
                config.manifests() != null ? "manifests " + config.manifests() : "cluster mode");
    }

    /**
     * The {@code --default-ssl-certificate} Secret as it is now, so that the first handshakes get it; else (or if
     * unusable) a generated one. The source follows the Secret from then on.
     */
    private TlsCertificate defaultCertificate(KubernetesClient client) throws IOException {
        String id = config.defaultSslCertificate();
        if (id != null) {
            try {
                TlsCertificate certificate = client != null
                        ? DefaultSslCertificate.fromCluster(id, client)
                        : DefaultSslCertificate.fromFolder(id, config.manifests());
                LOG.info("default certificate: Secret {} for {} (followed for changes)", id, certificate.dnsNames());
                return certificate;
            } catch (CertificateProblem | RuntimeException e) {
                LOG.warn(
                        "--default-ssl-certificate {} is not usable, serving a generated certificate instead: {}",
                        id,
                        e.getMessage());
            }
        }
        return DefaultCertificate.generate();
    }

    private void registerGauges(MeterRegistry registry) {
        Gauge.builder("usher.ready", this, c -> c.ready() ? 1 : 0)
                .description("1 once the first load is published and the listeners are bound")
                .register(registry);
        Gauge.builder("usher.routes", table, t -> t.current().routes().size())
                .description("compiled routes in the snapshot in force")
                .register(registry);
        Gauge.builder("usher.route.conflicts", table, t -> t.current()
                        .conflicts()
                        .size())
                .description("rules that lost to another Ingress's rule for the same host and path")
                .register(registry);
        for (String reason : Problem.REASONS) {
            Gauge.builder("usher.config.problems", publisher, p -> p.problems().stream()
                            .filter(problem -> problem.reason().equals(reason))
                            .count())
                    .description("what the last load skipped or could not honour, by reason, see /debug/routes")
                    .tag("reason", reason)
                    .register(registry);
        }
    }

    /** The bound HTTP port. */
    public int httpPort() {
        return proxy.httpPort();
    }

    /** The bound HTTPS port, or -1 when there is no HTTPS listener. */
    public int httpsPort() {
        return certificates == null ? -1 : proxy.httpsPort();
    }

    /** The bound admin port. */
    public int adminPort() {
        return admin.port();
    }

    /**
     * Whether the listeners are bound, for {@code /readyz}, which asks only once the first load is published: the
     * first time it asks, the start-up's garbage is collected ({@link StartupCollection}) before the answer lets
     * traffic in.
     */
    private boolean listeningAndCollected() {
        if (!listening) {
            return false;
        }
        startupCollection.runOnce();
        return true;
    }

    /** Whether the start-up collection has run (tests). */
    boolean startupCollected() {
        return startupCollection.ran();
    }

    /** What {@code /readyz} reports. */
    public boolean ready() {
        return admin != null && admin.ready();
    }

    public ControllerConfig config() {
        return config;
    }

    /**
     * Shuts down: readiness drops first; then, if Usher was serving, it serves on for the shutdown delay; then the
     * proxy stops accepting and finishes in-flight requests up to the drain timeout, and the source, admin server and
     * metrics close. Safe to call twice.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        boolean wasListening = listening;
        listening = false;
        if (wasListening && !config.shutdownDelay().isZero()) {
            LOG.info(
                    "usher shutting down: /readyz answers 503, still serving for {} before the drain",
                    Converters.format(config.shutdownDelay()));
            try {
                shutdownPause.pause(config.shutdownDelay());
            } catch (InterruptedException e) {
                // A second interrupt means "now": go on to the drain at once.
                Thread.currentThread().interrupt();
            }
        }
        if (wasListening) {
            LOG.info(
                    "usher draining: not ready any more, in-flight requests get up to {}",
                    Converters.format(config.drainTimeout()));
        }
        if (proxy != null) {
            try {
                proxy.drain(config.drainTimeout());
            } catch (RuntimeException e) {
                LOG.warn("proxy drain failed; closing at once", e);
            } finally {
                proxy.close();
            }
        }
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                LOG.warn("closing {} failed", started.get(i), e);
            }
        }
        if (wasListening) {
            LOG.info("usher stopped");
        }
    }
}
