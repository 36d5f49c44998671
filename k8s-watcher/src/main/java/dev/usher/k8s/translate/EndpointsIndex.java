package dev.usher.k8s.translate;

import dev.usher.routing.Endpoint;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ready addresses of a Service port, from its EndpointSlices, or from its legacy Endpoints when it has no slice.
 *
 * <p>Ports are matched by the Service port's <em>name</em> (that is how the endpoints controller names them), and
 * an unnamed Service port also matches a lone endpoint port. The endpoint port number is the resolved targetPort.
 * Only ready addresses count: EndpointSlice endpoints whose {@code conditions.ready} is {@code false} and legacy
 * {@code notReadyAddresses} are never used; an absent {@code ready} means ready, as the API documents.
 */
final class EndpointsIndex {

    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private static final Comparator<Endpoint> ORDER =
            Comparator.comparing(Endpoint::address).thenComparingInt(Endpoint::port);

    private final KubeObjects objects;
    private final Map<String, List<EndpointSlice>> slicesByService = new HashMap<>();

    EndpointsIndex(KubeObjects objects) {
        this.objects = objects;
        for (EndpointSlice slice : objects.endpointSlices()) {
            Map<String, String> labels = slice.getMetadata().getLabels();
            String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
            if (service != null) {
                slicesByService.computeIfAbsent(KubeObjects.namespace(slice) + "/" + service, k -> new ArrayList<>())
                        .add(slice);
            }
        }
    }

    /** The ready endpoints of {@code namespace/service} for the Service port named {@code portName} (null = none). */
    List<Endpoint> ready(String namespace, String service, String portName) {
        String name = portName == null ? "" : portName;
        Set<Endpoint> ready = new LinkedHashSet<>();
        List<EndpointSlice> slices = slicesByService.get(namespace + "/" + service);
        if (slices != null) {
            slices.forEach(slice -> fromSlice(slice, name, ready));
        } else {
            Endpoints endpoints = objects.endpoints(namespace, service);
            if (endpoints != null && endpoints.getSubsets() != null) {
                endpoints.getSubsets().forEach(subset -> fromSubset(subset, name, ready));
            }
        }
        List<Endpoint> sorted = new ArrayList<>(ready);
        sorted.sort(ORDER);
        return List.copyOf(sorted);
    }

    private static void fromSlice(EndpointSlice slice, String portName, Set<Endpoint> out) {
        Integer port = null;
        var ports = slice.getPorts() == null ? List.<io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort>of()
                : slice.getPorts();
        for (var p : ports) {
            if (portName.equals(p.getName() == null ? "" : p.getName())) {
                port = p.getPort();
            }
        }
        if (port == null && portName.isEmpty() && ports.size() == 1) {
            port = ports.get(0).getPort();
        }
        if (port == null || port < 1 || port > 65535 || slice.getEndpoints() == null) {
            return;
        }
        for (var endpoint : slice.getEndpoints()) {
            EndpointConditions conditions = endpoint.getConditions();
            if (conditions != null && Boolean.FALSE.equals(conditions.getReady())) {
                continue;
            }
            String target = endpoint.getTargetRef() != null ? endpoint.getTargetRef().getName()
                    : endpoint.getHostname();
            for (String address : endpoint.getAddresses() == null ? List.<String>of() : endpoint.getAddresses()) {
                out.add(new Endpoint(address, port, target));
            }
        }
    }

    private static void fromSubset(EndpointSubset subset, String portName, Set<Endpoint> out) {
        Integer port = null;
        List<EndpointPort> ports = subset.getPorts() == null ? List.of() : subset.getPorts();
        for (EndpointPort p : ports) {
            if (portName.equals(p.getName() == null ? "" : p.getName())) {
                port = p.getPort();
            }
        }
        if (port == null && portName.isEmpty() && ports.size() == 1) {
            port = ports.get(0).getPort();
        }
        if (port == null || port < 1 || port > 65535 || subset.getAddresses() == null) {
            return;
        }
        for (EndpointAddress address : subset.getAddresses()) {
            String host = address.getIp() != null ? address.getIp() : address.getHostname();
            if (host != null) {
                String target = address.getTargetRef() != null ? address.getTargetRef().getName()
                        : address.getHostname();
                out.add(new Endpoint(host, port, target));
            }
        }
    }
}
