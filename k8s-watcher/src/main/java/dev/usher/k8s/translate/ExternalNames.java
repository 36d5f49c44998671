package dev.usher.k8s.translate;

import dev.usher.routing.AddressBlock;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Which ExternalName Services Usher refuses to route to: those naming the host Usher runs on or its link, whoever
 * resolves them. In a cluster whoever may create a Service chooses its external name, and Usher's admin port shows its
 * debug views (every route, Service and endpoint of every namespace) to loopback clients: {@code localhost} or
 * {@code 127.0.0.1} there would let an outside client read them through an Ingress; a link-local address reaches the
 * cloud's metadata service (169.254.169.254) from the pod. Contour disabled ExternalName Services by default for the
 * same reason (GHSA-5ph6-qq5x-7jwc); Usher keeps them, as ingress-nginx does, but not these. A DNS name that only
 * resolves to such an address is refused by the proxy when it connects.
 */
final class ExternalNames {

    private ExternalNames() {}

    /** Why {@code name} is refused, or {@code null} when it is not. */
    static String refusal(String name) {
        String host = name.strip().toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        if (host.equals("localhost") || host.endsWith(".localhost")) {
            return "a name of the local host (RFC 6761)";
        }
        InetAddress address =
                literal(host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host);
        if (address != null
                && (address.isLoopbackAddress() || address.isAnyLocalAddress() || address.isLinkLocalAddress())) {
            return "an address of this host or its link (loopback, unspecified or link-local)";
        }
        return null;
    }

    /**
     * The address {@code text} spells as an IP literal (no brackets, prefix or surrounding space), or {@code null} for
     * anything else; nothing is looked up.
     */
    static InetAddress literal(String text) {
        if (text == null || text.isEmpty() || text.indexOf('/') >= 0 || !text.equals(text.strip())) {
            return null;
        }
        try {
            AddressBlock.parse(text);
            return InetAddress.getByName(text); // a literal: parsed, not looked up
        } catch (IllegalArgumentException | UnknownHostException e) {
            return null;
        }
    }
}
