package dev.usher.k8s;

import dev.usher.k8s.translate.KubeObjects;
import dev.usher.routing.ObjectRef;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@code status.loadBalancer.ingress} on the Ingresses Usher serves, and removes it from those it stopped
 * serving; never touches an Ingress it did not write.
 *
 * <p>Runs on the {@code usher-status} thread, and only while this replica leads. Writes go through
 * {@code editStatus}, which reads the object from the API server: informer-cache objects are never modified. An
 * Ingress whose status already holds the desired addresses is not written, so the status updates it causes (which
 * come back as informer events) settle after one round.
 */
final class IngressStatusWriter {

    private static final Logger LOG = LoggerFactory.getLogger(IngressStatusWriter.class);
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final KubernetesClient client;
    private final StatusOptions options;
    private final Set<ObjectRef> written = new HashSet<>();

    IngressStatusWriter(KubernetesClient client, StatusOptions options) {
        this.client = client;
        this.options = options;
    }

    /** Makes the status of {@code ours} the published addresses and clears it on {@code others} we wrote before. */
    void sync(List<Ingress> ours, List<Ingress> others) {
        List<IngressLoadBalancerIngress> desired = addresses();
        for (Ingress ingress : ours) {
            if (!desired.equals(current(ingress))) {
                write(ingress, desired);
            }
            written.add(KubeObjects.ref(ingress));
        }
        for (Ingress ingress : others) {
            if (written.remove(KubeObjects.ref(ingress)) && !current(ingress).isEmpty()) {
                write(ingress, List.of());
            }
        }
    }

    /** Forgets what was written (on losing the lease: the next leader takes over). */
    void reset() {
        written.clear();
    }

    List<IngressLoadBalancerIngress> addresses() {
        List<IngressLoadBalancerIngress> out = new ArrayList<>();
        if (options.publishService() != null) {
            ObjectRef ref = ObjectRef.parse(options.publishService());
            Service service = client.services()
                    .inNamespace(ref.namespace())
                    .withName(ref.name())
                    .get();
            if (service != null
                    && service.getStatus() != null
                    && service.getStatus().getLoadBalancer() != null
                    && service.getStatus().getLoadBalancer().getIngress() != null) {
                for (LoadBalancerIngress lb :
                        service.getStatus().getLoadBalancer().getIngress()) {
                    out.add(new IngressLoadBalancerIngressBuilder()
                            .withIp(lb.getIp())
                            .withHostname(lb.getHostname())
                            .build());
                }
            }
        }
        if (out.isEmpty()) {
            for (String address : options.publishStatusAddresses()) {
                boolean ip = IPV4.matcher(address).matches() || address.indexOf(':') >= 0;
                out.add(
                        ip
                                ? new IngressLoadBalancerIngressBuilder()
                                        .withIp(address)
                                        .build()
                                : new IngressLoadBalancerIngressBuilder()
                                        .withHostname(address)
                                        .build());
            }
        }
        return out;
    }

    private static List<IngressLoadBalancerIngress> current(Ingress ingress) {
        if (ingress.getStatus() == null
                || ingress.getStatus().getLoadBalancer() == null
                || ingress.getStatus().getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        return ingress.getStatus().getLoadBalancer().getIngress();
    }

    private void write(Ingress ingress, List<IngressLoadBalancerIngress> addresses) {
        String ns = KubeObjects.namespace(ingress);
        String name = ingress.getMetadata().getName();
        try {
            client.network().v1().ingresses().inNamespace(ns).withName(name).editStatus(latest -> new IngressBuilder(
                            latest)
                    .withNewStatus()
                    .withNewLoadBalancer()
                    .withIngress(addresses)
                    .endLoadBalancer()
                    .endStatus()
                    .build());
            LOG.debug("status of Ingress {}/{} set to {}", ns, name, addresses);
        } catch (KubernetesClientException e) {
            // Gone meanwhile, or a conflict: the next sync (every rebuild) tries again.
            LOG.info("could not write the status of Ingress {}/{}: {}", ns, name, e.getMessage());
        }
    }
}
