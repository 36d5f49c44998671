package dev.usher.k8s.translate;

import dev.usher.routing.BackendRef;
import dev.usher.routing.Endpoint;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.List;

/**
 * Resolves a backend to ready endpoints: the Service in the Ingress's namespace, its port by number or by name, then
 * that port's endpoints. A backend that cannot be resolved gets no endpoints (503 at run time) and a problem; every
 * other route keeps serving.
 */
final class BackendResolver {

    /**
     * Endpoints, and why there are none when resolution failed ({@code problem} null on success), or why the endpoints
     * are not the ones asked for ({@code service-upstream} of a Service without a cluster IP).
     */
    record Resolution(List<Endpoint> endpoints, String problem) {}

    private final KubeObjects objects;
    private final EndpointsIndex index;
    private final boolean externalNames;

    BackendResolver(KubeObjects objects) {
        this(objects, null, true);
    }

    /**
     * Resolving to the endpoints hinted for {@code zone} where a Service uses topology hints ({@code null}: none),
     * and to ExternalName Services' names only if {@code externalNames}.
     */
    BackendResolver(KubeObjects objects, String zone, boolean externalNames) {
        this.objects = objects;
        this.index = new EndpointsIndex(objects, zone);
        this.externalNames = externalNames;
    }

    Resolution resolve(BackendRef ref) {
        Service service = objects.service(ref.namespace(), ref.service());
        if (service == null) {
            return failed("Service " + ref.serviceRef() + " not found; backend " + ref + " has no endpoints");
        }
        ServicePort port = servicePort(service, ref);
        if (service.getSpec() != null
                && "ExternalName".equals(service.getSpec().getType())
                && service.getSpec().getExternalName() != null) {
            int number = port != null ? port.getPort() : ref.port().number();
            if (number < 1) {
                return failed("Service " + ref.serviceRef() + " has no port " + ref.port());
            }
            String name = service.getSpec().getExternalName();
            if (!externalNames) {
                return failed("Service " + ref.serviceRef() + " is an ExternalName for " + Problems.quote(name)
                        + ": refused, --disable-svc-external-name is set; backend " + ref + " has no endpoints");
            }
            String refusal = ExternalNames.refusal(name);
            if (refusal != null) {
                return failed("Service " + ref.serviceRef() + " is an ExternalName for " + Problems.quote(name) + ", "
                        + refusal + ": refused, so that no Service can point Usher at itself; backend " + ref
                        + " has no endpoints");
            }
            return new Resolution(List.of(new Endpoint(name, number, null)), null);
        }
        if (port == null) {
            return failed("Service " + ref.serviceRef() + " has no port " + ref.port() + "; backend has no endpoints");
        }
        List<Endpoint> ready = index.ready(ref.namespace(), ref.service(), port.getName());
        if (!ref.clusterIp()) {
            return new Resolution(ready, null);
        }
        // ingress-nginx's service-upstream: the cluster IP and the Service port, one endpoint kube-proxy balances
        String clusterIp = service.getSpec() == null ? null : service.getSpec().getClusterIP();
        if (ExternalNames.literal(clusterIp) != null
                && port.getPort() != null
                && port.getPort() >= 1
                && port.getPort() <= 65535) {
            return new Resolution(List.of(new Endpoint(clusterIp, port.getPort(), ref.service())), null);
        }
        return new Resolution(
                ready,
                "service-upstream: Service " + ref.serviceRef()
                        + (clusterIp == null || clusterIp.isEmpty() || "None".equals(clusterIp)
                                ? " has no cluster IP (headless or none)"
                                : " has cluster IP " + Problems.quote(clusterIp) + ", not an IP address")
                        + "; its endpoints are used instead, as ingress-nginx");
    }

    static ServicePort servicePort(Service service, BackendRef ref) {
        if (service.getSpec() == null || service.getSpec().getPorts() == null) {
            return null;
        }
        for (ServicePort port : service.getSpec().getPorts()) {
            boolean match = ref.port().isNamed()
                    ? ref.port().name().equals(port.getName())
                    : port.getPort() != null && port.getPort() == ref.port().number();
            if (match) {
                return port;
            }
        }
        return null;
    }

    private static Resolution failed(String problem) {
        return new Resolution(List.of(), problem);
    }
}
