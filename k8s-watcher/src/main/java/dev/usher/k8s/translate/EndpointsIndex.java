package dev.usher.k8s.translate;

import dev.usher.routing.Endpoint;
import dev.usher.routing.ObjectRef;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
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
 *
 * <p>Topology-aware routing: when Usher knows its zone and every ready endpoint of the Service port carries
 * {@code hints.forZones} (the EndpointSlice controller sets hints on all of a Service's endpoints or on none), only
 * the ready endpoints hinted for Usher's zone are used; when none of them is ready, or some endpoint has no hints, all
 * ready endpoints are, as kube-proxy does. This runs when endpoints are published, so the data plane pays nothing.
 */
final class EndpointsIndex {

    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private static final Comparator<Endpoint> ORDER =
            Comparator.comparing(Endpoint::address).thenComparingInt(Endpoint::port);

    /** A ready slice endpoint and the zones it is hinted for ({@code null}: no hints). */
    private record Candidate(Endpoint endpoint, Set<String> forZones) {}

    private final KubeObjects objects;
    private final String zone;
    private final Map<ObjectRef, List<EndpointSlice>> slicesByService = new HashMap<>();

    EndpointsIndex(KubeObjects objects) {
        this(objects, null);
    }

    /** {@code zone}: where Usher runs, to prefer the endpoints hinted for it; {@code null} for no preference. */
    EndpointsIndex(KubeObjects objects, String zone) {
        this.objects = objects;
        this.zone = zone;
        for (EndpointSlice slice : objects.endpointSlices()) {
            Map<String, String> labels = slice.getMetadata().getLabels();
            String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
            if (service != null) {
                slicesByService
                        .computeIfAbsent(new ObjectRef(KubeObjects.namespace(slice), service), k -> new ArrayList<>())
                        .add(slice);
            }
        }
    }

    /** The ready endpoints of {@code namespace/service} for the Service port named {@code portName} (null = none). */
    List<Endpoint> ready(String namespace, String service, String portName) {
        String name = portName == null ? "" : portName;
        Set<Endpoint> ready = new LinkedHashSet<>();
        List<EndpointSlice> slices = slicesByService.get(new ObjectRef(namespace, service));
        if (slices != null) {
            List<Candidate> candidates = new ArrayList<>();
            slices.forEach(slice -> fromSlice(slice, name, candidates));
            preferZone(candidates).forEach(c -> ready.add(c.endpoint()));
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

    private List<Candidate> preferZone(List<Candidate> candidates) {
        if (zone == null || candidates.stream().anyMatch(c -> c.forZones() == null)) {
            return candidates;
        }
        List<Candidate> local =
                candidates.stream().filter(c -> c.forZones().contains(zone)).toList();
        return local.isEmpty() ? candidates : local;
    }

    private static void fromSlice(EndpointSlice slice, String portName, List<Candidate> out) {
        Integer port = null;
        var ports = slice.getPorts() == null
                ? List.<io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort>of()
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
            String target =
                    endpoint.getTargetRef() != null ? endpoint.getTargetRef().getName() : endpoint.getHostname();
            Set<String> forZones = null;
            if (endpoint.getHints() != null
                    && endpoint.getHints().getForZones() != null
                    && !endpoint.getHints().getForZones().isEmpty()) {
                forZones = new HashSet<>();
                for (var forZone : endpoint.getHints().getForZones()) {
                    forZones.add(forZone.getName());
                }
            }
            for (String address : endpoint.getAddresses() == null ? List.<String>of() : endpoint.getAddresses()) {
                out.add(new Candidate(new Endpoint(address, port, target, endpoint.getZone()), forZones));
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
                String target =
                        address.getTargetRef() != null ? address.getTargetRef().getName() : address.getHostname();
                out.add(new Endpoint(host, port, target));
            }
        }
    }
}
