package dev.usher.deploy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode without {@code --zone}: the zone of the node this pod runs on, from its
 * {@code topology.kubernetes.io/zone} label, read once at start (nodes do not change zone). Needs {@code get nodes};
 * when the node cannot be read or has no label, Usher logs why and carries on without a zone preference.
 */
final class NodeZone {

    static final String ZONE_LABEL = "topology.kubernetes.io/zone";

    private static final Logger LOG = LoggerFactory.getLogger(NodeZone.class);

    private NodeZone() {}

    /** The zone label of node {@code nodeName}, or {@code null}. */
    static String read(KubernetesClient client, String nodeName) {
        try {
            Node node = client.nodes().withName(nodeName).get();
            Map<String, String> labels =
                    node == null ? null : node.getMetadata().getLabels();
            String zone = labels == null ? null : labels.get(ZONE_LABEL);
            if (zone == null || zone.isBlank()) {
                LOG.info(
                        "node {} {}; no zone preference",
                        nodeName,
                        node == null ? "not found" : "has no " + ZONE_LABEL);
                return null;
            }
            return zone;
        } catch (RuntimeException e) {
            LOG.warn("cannot read node {} for its zone ({}); no zone preference", nodeName, e.getMessage());
            return null;
        }
    }
}
