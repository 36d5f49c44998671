package dev.usher.k8s.translate;

import dev.usher.routing.BackendRef;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Which Ingresses are ours and where unmatched requests go; shared by the folder and the cluster sources.
 *
 * @param ingressClass the {@code kubernetes.io/ingress.class} annotation value we answer to ({@code --ingress-class})
 * @param controllerName the IngressClass {@code spec.controller} we answer to ({@code --controller-name})
 * @param watchIngressWithoutClass take Ingresses that name no class at all ({@code --watch-ingress-without-class})
 * @param defaultBackend the {@code --default-backend} flag, or {@code null}
 * @param defaultSslCertificate the {@code --default-ssl-certificate} Secret as {@code namespace/name}, followed like
 *        the Ingresses' TLS Secrets, or {@code null}
 * @param zone the zone Usher runs in ({@code --zone}, or its node's {@code topology.kubernetes.io/zone} label), or
 *        {@code null}: with a zone, Services with topology-aware routing hints send to the endpoints hinted for it
 * @param sslPassthrough {@code --enable-ssl-passthrough} is on (with an HTTPS listener): {@code ssl-passthrough}
 *        annotations take effect; off, they are reported as having none, as ingress-nginx ignores them
 * @param globalAuth the {@code --global-auth-*} flags (ingress-nginx's {@code global-auth-*} ConfigMap keys): external
 *        authentication for every Ingress without its own {@code auth-url} that does not opt out; or {@code null}
 * @param externalNameServices route to ExternalName Services (the default); {@code false} with
 *        {@code --disable-svc-external-name} (ingress-nginx's flag): their backends get no endpoints and a problem
 * @param allowedResponseHeaders {@code --global-allowed-response-headers} (ingress-nginx's
 *        {@code global-allowed-response-headers} ConfigMap key), lower case: the only field names a
 *        {@code custom-headers} ConfigMap may set; empty (the default) denies every use of that annotation
 */
public record WatcherSettings(
        String ingressClass,
        String controllerName,
        boolean watchIngressWithoutClass,
        BackendRef defaultBackend,
        String defaultSslCertificate,
        String zone,
        boolean sslPassthrough,
        GlobalAuth globalAuth,
        boolean externalNameServices,
        Set<String> allowedResponseHeaders) {

    public static final String DEFAULT_INGRESS_CLASS = "usher";
    public static final String DEFAULT_CONTROLLER_NAME = "usher.dev/ingress-controller";

    public WatcherSettings {
        Objects.requireNonNull(ingressClass, "ingressClass");
        Objects.requireNonNull(controllerName, "controllerName");
        allowedResponseHeaders = allowedResponseHeaders == null ? Set.of() : Set.copyOf(allowedResponseHeaders);
    }

    /** Without a {@code --default-ssl-certificate} to follow. */
    public WatcherSettings(
            String ingressClass, String controllerName, boolean watchIngressWithoutClass, BackendRef defaultBackend) {
        this(
                ingressClass,
                controllerName,
                watchIngressWithoutClass,
                defaultBackend,
                null,
                null,
                false,
                null,
                true,
                Set.of());
    }

    /** Class {@code usher}, controller {@code usher.dev/ingress-controller}, class-less Ingresses ignored. */
    public static WatcherSettings defaults() {
        return new WatcherSettings(DEFAULT_INGRESS_CLASS, DEFAULT_CONTROLLER_NAME, false, null);
    }

    /** A copy that also takes Ingresses without any class. */
    public WatcherSettings withWatchIngressWithoutClass(boolean watch) {
        return copy(c -> c.watchIngressWithoutClass = watch);
    }

    /** A copy with another {@code --default-backend}. */
    public WatcherSettings withDefaultBackend(BackendRef backend) {
        return copy(c -> c.defaultBackend = backend);
    }

    /** A copy that follows Secret {@code id} ({@code namespace/name}, or {@code null}) as the default certificate. */
    public WatcherSettings withDefaultSslCertificate(String id) {
        return copy(c -> c.defaultSslCertificate = id);
    }

    /** A copy for Usher running in {@code zone} ({@code null} = unknown: no zone preference). */
    public WatcherSettings withZone(String zone) {
        return copy(c -> c.zone = zone == null || zone.isBlank() ? null : zone);
    }

    /** A copy with {@code --enable-ssl-passthrough} on or off. */
    public WatcherSettings withSslPassthrough(boolean on) {
        return copy(c -> c.sslPassthrough = on);
    }

    /** A copy with the {@code --global-auth-*} flags' external authentication ({@code null}: none). */
    public WatcherSettings withGlobalAuth(GlobalAuth auth) {
        return copy(c -> c.globalAuth = auth);
    }

    /** A copy that routes to ExternalName Services or, with {@code false}, refuses them. */
    public WatcherSettings withExternalNameServices(boolean on) {
        return copy(c -> c.externalNameServices = on);
    }

    /**
     * A copy with {@code --global-allowed-response-headers}: the field names (any case; blank entries skipped) a
     * {@code custom-headers} ConfigMap may set.
     */
    public WatcherSettings withAllowedResponseHeaders(Collection<String> names) {
        Set<String> lower = new LinkedHashSet<>();
        for (String name : names) {
            String n = name.strip();
            if (!n.isEmpty()) {
                lower.add(n.toLowerCase(Locale.ROOT));
            }
        }
        return copy(c -> c.allowedResponseHeaders = lower);
    }

    /** This record with what {@code change} sets: each {@code with} method changes one component. */
    private WatcherSettings copy(Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return new WatcherSettings(
                c.ingressClass,
                c.controllerName,
                c.watchIngressWithoutClass,
                c.defaultBackend,
                c.defaultSslCertificate,
                c.zone,
                c.sslPassthrough,
                c.globalAuth,
                c.externalNameServices,
                c.allowedResponseHeaders);
    }

    /** The components, to change before the copy is made. */
    private static final class Copy {
        final String ingressClass;
        final String controllerName;
        boolean watchIngressWithoutClass;
        BackendRef defaultBackend;
        String defaultSslCertificate;
        String zone;
        boolean sslPassthrough;
        GlobalAuth globalAuth;
        boolean externalNameServices;
        Set<String> allowedResponseHeaders;

        Copy(WatcherSettings s) {
            ingressClass = s.ingressClass;
            controllerName = s.controllerName;
            watchIngressWithoutClass = s.watchIngressWithoutClass;
            defaultBackend = s.defaultBackend;
            defaultSslCertificate = s.defaultSslCertificate;
            zone = s.zone;
            sslPassthrough = s.sslPassthrough;
            globalAuth = s.globalAuth;
            externalNameServices = s.externalNameServices;
            allowedResponseHeaders = s.allowedResponseHeaders;
        }
    }
}
