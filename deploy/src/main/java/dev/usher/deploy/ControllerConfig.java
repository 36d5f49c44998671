package dev.usher.deploy;

import dev.usher.deploy.admin.DebugAccess;
import dev.usher.k8s.StatusOptions;
import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.proxy.ProxySettings;
import dev.usher.proxy.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything {@link Controller#start} needs; build it with {@link #builder()} (every field has a default).
 *
 * @param bindAddress address of the HTTP and HTTPS listeners ({@code 0.0.0.0})
 * @param httpPort HTTP listener port (8080; 0 = ephemeral)
 * @param httpsPort HTTPS listener port (8443; 0 = ephemeral; -1 = no HTTPS listener)
 * @param adminBindAddress address of the admin server (same as {@code bindAddress} unless set)
 * @param adminPort admin server port (9090; 0 = ephemeral)
 * @param manifests folder of manifests to read and watch; {@code null} means cluster mode
 * @param watchNamespace cluster mode: the one namespace to watch, or {@code null} for all
 * @param status cluster mode: how to write Ingress status, or {@code null} to never write it
 * @param watcher which Ingresses are ours and the {@code --default-backend}
 * @param proxy data-plane timeouts, limits, load balancing and access log
 * @param eventLoops proxy event loop threads (0 = one per available processor)
 * @param transport the event loops' I/O transport ({@link Transport#AUTO}: epoll where available, else NIO)
 * @param defaultSslCertificate {@code namespace/name} of the Secret to serve when no Ingress certificate matches,
 *        or {@code null} for the generated default certificate
 * @param drainTimeout how long shutdown waits for in-flight requests (10 s)
 * @param shutdownDelay how long shutdown keeps serving with {@code /readyz} at 503 before the drain starts, so that
 *        load balancers and the endpoints controller stop sending first (0 here; {@code usher run} defaults to 15 s)
 * @param nodeName cluster mode: the node this pod runs on ({@code $NODE_NAME}), whose
 *        {@code topology.kubernetes.io/zone} label is read once at start when {@code watcher} has no zone; or null
 * @param debugAccess who may read the admin port's debug views (loopback only; {@code --debug-from} adds blocks)
 */
public record ControllerConfig(
        String bindAddress,
        int httpPort,
        int httpsPort,
        String adminBindAddress,
        int adminPort,
        Path manifests,
        String watchNamespace,
        StatusOptions status,
        WatcherSettings watcher,
        ProxySettings proxy,
        int eventLoops,
        Transport transport,
        String defaultSslCertificate,
        Duration drainTimeout,
        Duration shutdownDelay,
        String nodeName,
        DebugAccess debugAccess) {

    public ControllerConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(adminBindAddress, "adminBindAddress");
        Objects.requireNonNull(watcher, "watcher");
        Objects.requireNonNull(proxy, "proxy");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(debugAccess, "debugAccess");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(shutdownDelay, "shutdownDelay");
        if (shutdownDelay.isNegative()) {
            throw new IllegalArgumentException("shutdownDelay must not be negative, got " + shutdownDelay);
        }
        port(httpPort, "httpPort");
        if (httpsPort != -1) {
            port(httpsPort, "httpsPort");
        }
        port(adminPort, "adminPort");
        if (eventLoops < 0) {
            throw new IllegalArgumentException("eventLoops must be 0 (one per processor) or more, got " + eventLoops);
        }
        if (defaultSslCertificate != null && !defaultSslCertificate.matches("[^/]+/[^/]+")) {
            throw new IllegalArgumentException(
                    "default SSL certificate must be NAMESPACE/NAME, got '" + defaultSslCertificate + "'");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True when an HTTPS listener is configured. */
    public boolean https() {
        return httpsPort != -1;
    }

    private static void port(int port, String name) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(name + " must be 0-65535, got " + port);
        }
    }

    /** Builds a {@link ControllerConfig}; starts from the documented defaults. */
    public static final class Builder {
        private String bindAddress = "0.0.0.0";
        private int httpPort = 8080;
        private int httpsPort = 8443;
        private String adminBindAddress;
        private int adminPort = 9090;
        private Path manifests;
        private String watchNamespace;
        private StatusOptions status;
        private WatcherSettings watcher = WatcherSettings.defaults();
        private ProxySettings proxy = ProxySettings.defaults();
        private int eventLoops;
        private Transport transport = Transport.AUTO;
        private String defaultSslCertificate;
        private Duration drainTimeout = Duration.ofSeconds(10);
        private DebugAccess debugAccess = DebugAccess.loopbackOnly();
        private Duration shutdownDelay = Duration.ZERO;
        private String nodeName;

        private Builder() {}

        public Builder bindAddress(String bindAddress) {
            this.bindAddress = bindAddress;
            return this;
        }

        public Builder httpPort(int httpPort) {
            this.httpPort = httpPort;
            return this;
        }

        /** HTTPS listener port; -1 for none. */
        public Builder httpsPort(int httpsPort) {
            this.httpsPort = httpsPort;
            return this;
        }

        public Builder adminBindAddress(String adminBindAddress) {
            this.adminBindAddress = adminBindAddress;
            return this;
        }

        public Builder adminPort(int adminPort) {
            this.adminPort = adminPort;
            return this;
        }

        public Builder manifests(Path manifests) {
            this.manifests = manifests;
            return this;
        }

        public Builder watchNamespace(String watchNamespace) {
            this.watchNamespace = watchNamespace;
            return this;
        }

        public Builder status(StatusOptions status) {
            this.status = status;
            return this;
        }

        public Builder watcher(WatcherSettings watcher) {
            this.watcher = watcher;
            return this;
        }

        public Builder proxy(ProxySettings proxy) {
            this.proxy = proxy;
            return this;
        }

        public Builder eventLoops(int eventLoops) {
            this.eventLoops = eventLoops;
            return this;
        }

        public Builder transport(Transport transport) {
            this.transport = transport;
            return this;
        }

        public Builder defaultSslCertificate(String defaultSslCertificate) {
            this.defaultSslCertificate = defaultSslCertificate;
            return this;
        }

        public Builder drainTimeout(Duration drainTimeout) {
            this.drainTimeout = drainTimeout;
            return this;
        }

        public Builder debugAccess(DebugAccess debugAccess) {
            this.debugAccess = debugAccess;
            return this;
        }

        /** Serve on, not ready, for this long after a shutdown begins and before the drain; 0 = drain at once. */
        public Builder shutdownDelay(Duration shutdownDelay) {
            this.shutdownDelay = shutdownDelay;
            return this;
        }

        /** Cluster mode: the node to read the zone label of when no {@code --zone} is given. */
        public Builder nodeName(String nodeName) {
            this.nodeName = nodeName;
            return this;
        }

        public ControllerConfig build() {
            return new ControllerConfig(
                    bindAddress,
                    httpPort,
                    httpsPort,
                    adminBindAddress == null ? bindAddress : adminBindAddress,
                    adminPort,
                    manifests,
                    watchNamespace,
                    status,
                    watcher,
                    proxy,
                    eventLoops,
                    transport,
                    defaultSslCertificate,
                    drainTimeout,
                    shutdownDelay,
                    nodeName,
                    debugAccess);
        }
    }
}
