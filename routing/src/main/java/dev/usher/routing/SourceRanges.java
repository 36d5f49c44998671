package dev.usher.routing;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * Which client addresses may use an Ingress (ingress-nginx's {@code denylist-source-range} and
 * {@code whitelist-source-range}/{@code allowlist-source-range}). As nginx's {@code deny}/{@code allow} rules in the
 * order ingress-nginx writes them: an address in {@code deny} is refused; otherwise, when {@code allow} is not empty,
 * only an address in it is admitted.
 */
public record SourceRanges(List<AddressBlock> allow, List<AddressBlock> deny) {

    /** Everyone is admitted. */
    public static final SourceRanges ANY = new SourceRanges(List.of(), List.of());

    public SourceRanges {
        allow = List.copyOf(Objects.requireNonNull(allow, "allow"));
        deny = List.copyOf(Objects.requireNonNull(deny, "deny"));
    }

    /** Whether any range is set (so the client address must be looked at). */
    public boolean restricts() {
        return !allow.isEmpty() || !deny.isEmpty();
    }

    /** Whether a client at {@code address} may pass. */
    public boolean admits(InetAddress address) {
        for (AddressBlock block : deny) {
            if (block.contains(address)) {
                return false;
            }
        }
        if (allow.isEmpty()) {
            return true;
        }
        for (AddressBlock block : allow) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
