package dev.usher.deploy.admin;

import dev.usher.routing.AddressBlock;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Who may read the admin port's debug surface ({@code /debug/*} and the page at {@code /}): loopback clients, plus
 * the blocks of {@code --debug-from}.
 *
 * <p>Why: the admin port listens on every address by default because kubelet probes and Prometheus scrapes come from
 * other hosts, but {@code /debug/routes} names every host, Service, endpoint address, problem and file path. Anyone
 * who can reach the pod must not read that. {@code kubectl port-forward} connects from inside the pod's network
 * namespace, so it arrives as a loopback client and keeps working with no flag. Probes and scrapes
 * ({@code /healthz}, {@code /readyz}, {@code /metrics}) are not affected. A refused client gets 403 with a sentence
 * naming the way in, not 404: the admin port is not a secret, its contents are.
 */
public final class DebugAccess {

    private static final DebugAccess LOOPBACK_ONLY = new DebugAccess(true, List.of());
    /** Also catches an IPv4-mapped IPv6 loopback client, which {@link InetAddress#isLoopbackAddress()} may miss. */
    private static final AddressBlock LOOPBACK_V4 = AddressBlock.parse("127.0.0.0/8");

    private final boolean loopback;
    private final List<AddressBlock> allowed;

    private DebugAccess(boolean loopback, List<AddressBlock> allowed) {
        this.loopback = loopback;
        this.allowed = List.copyOf(allowed);
    }

    /** The default: loopback clients only ({@code 127.0.0.0/8}, {@code ::1}). */
    public static DebugAccess loopbackOnly() {
        return LOOPBACK_ONLY;
    }

    /** Loopback clients and every client inside one of {@code blocks} ({@code --debug-from}). */
    public static DebugAccess loopbackAnd(List<AddressBlock> blocks) {
        Objects.requireNonNull(blocks, "blocks");
        return blocks.isEmpty() ? LOOPBACK_ONLY : new DebugAccess(true, blocks);
    }

    /** Exactly the clients inside {@code blocks}, not even loopback: lets a test prove the refusal on a real socket. */
    static DebugAccess only(List<AddressBlock> blocks) {
        return new DebugAccess(false, Objects.requireNonNull(blocks, "blocks"));
    }

    /** True when {@code client} may read the debug surface. */
    public boolean allows(InetAddress client) {
        Objects.requireNonNull(client, "client");
        if (loopback && (client.isLoopbackAddress() || LOOPBACK_V4.contains(client))) {
            return true;
        }
        for (AddressBlock block : allowed) {
            if (block.contains(client)) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when {@code host} (a {@code Host} header) names an IP literal or {@code localhost}, with or without a port.
     *
     * <p>Why: a web page the operator visits could point its own DNS name at 127.0.0.1 ("DNS rebinding") and, while a
     * port-forward is open, read the debug views from the operator's browser as a same-origin page. Such a request
     * carries the attacker's name in {@code Host}; a person or a script using the port-forward uses an address or
     * {@code localhost}.
     */
    static boolean safeHost(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        String name = host;
        if (name.startsWith("[")) {
            int close = name.indexOf(']');
            return close > 1
                    && name.substring(1, close).matches("[0-9A-Fa-f:.]+")
                    && (close == name.length() - 1 || name.substring(close + 1).matches(":\\d{1,5}"));
        }
        int colon = name.indexOf(':');
        if (colon >= 0) {
            if (!name.substring(colon + 1).matches("\\d{1,5}")) {
                return false;
            }
            name = name.substring(0, colon);
        }
        return name.equalsIgnoreCase("localhost") || name.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    /** The extra blocks, as {@code --debug-from} would list them. */
    public List<AddressBlock> blocks() {
        return allowed;
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (loopback) {
            parts.add("loopback");
        }
        allowed.forEach(block -> parts.add(block.toString()));
        return parts.isEmpty() ? "nobody" : String.join(", ", parts);
    }
}
