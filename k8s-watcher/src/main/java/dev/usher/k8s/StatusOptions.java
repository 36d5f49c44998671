package dev.usher.k8s;

import dev.usher.routing.ObjectRef;
import java.util.List;
import java.util.Objects;

/**
 * How cluster mode writes {@code status.loadBalancer.ingress} on the Ingresses it serves.
 *
 * @param publishService {@code namespace/name} of the Service whose LoadBalancer addresses to publish
 *     ({@code --publish-service}), or {@code null}
 * @param publishStatusAddresses fixed IPs or host names to publish ({@code --publish-status-address}); used when
 *     {@code publishService} is null or has no address yet
 * @param electionNamespace the namespace of the Lease that elects the one replica that writes status
 * @param electionId the Lease's name ({@code --election-id})
 * @param identity this replica's name in the election (the pod name)
 */
public record StatusOptions(
        String publishService,
        List<String> publishStatusAddresses,
        String electionNamespace,
        String electionId,
        String identity) {

    public StatusOptions {
        publishStatusAddresses = List.copyOf(Objects.requireNonNull(publishStatusAddresses, "publishStatusAddresses"));
        Objects.requireNonNull(electionNamespace, "electionNamespace");
        Objects.requireNonNull(electionId, "electionId");
        Objects.requireNonNull(identity, "identity");
        if (publishService != null) {
            try {
                ObjectRef.parse(publishService);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "publishService must be NAMESPACE/NAME, got '" + publishService + "'", e);
            }
        }
    }
}
