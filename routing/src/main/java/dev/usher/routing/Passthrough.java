package dev.usher.routing;

import java.util.Objects;

/**
 * A host whose TLS connections are passed to a backend unopened: ingress-nginx's {@code ssl-passthrough}. Only the
 * host matters: the data plane reads the server name of the ClientHello and splices the connection to an endpoint
 * of {@code backend}, without terminating TLS, so no path, header or other annotation can apply.
 *
 * @param host the exact host (lower case), as the SNI names it
 * @param backend the live endpoints of the host's {@code /} rule or default backend
 * @param ingress the Ingress whose rule or default backend gave {@code backend}
 */
public record Passthrough(String host, Backend backend, ObjectRef ingress) {

    public Passthrough {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(ingress, "ingress");
    }
}
