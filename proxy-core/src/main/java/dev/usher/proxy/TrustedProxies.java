package dev.usher.proxy;

import dev.usher.routing.AddressBlock;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The address ranges (CIDR blocks, IPv4 and IPv6) whose forwarding headers Usher believes; immutable.
 *
 * <p>Built once from text such as {@code 10.0.0.0/8,2001:db8::/32,192.0.2.7} (a bare address is a /32 or /128). Host
 * bits below the prefix are ignored, as Go's {@code net.ParseCIDR} and nginx's {@code set_real_ip_from} do. Each entry
 * is parsed by {@link AddressBlock} (IP literals only, never a host name, so never DNS). Matching is a scan of
 * primitive arrays with no allocation; an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) matches the IPv4 ranges.
 */
public final class TrustedProxies {

    private static final TrustedProxies NONE = new TrustedProxies(List.of(), new int[0], new int[0], new long[0]);

    private final List<String> cidrs;
    private final int[] v4Networks;
    private final int[] v4Masks;
    /** Four longs per range: network high, network low, mask high, mask low. */
    private final long[] v6;

    private TrustedProxies(List<String> cidrs, int[] v4Networks, int[] v4Masks, long[] v6) {
        this.cidrs = cidrs;
        this.v4Networks = v4Networks;
        this.v4Masks = v4Masks;
        this.v6 = v6;
    }

    /** Trusts nobody: every peer's forwarding headers are replaced (the default). */
    public static TrustedProxies none() {
        return NONE;
    }

    /**
     * Parses a comma-separated list of CIDR blocks or addresses; blanks around entries are ignored, an empty text is
     * {@link #none()}. Throws {@link IllegalArgumentException} naming the first bad entry.
     */
    public static TrustedProxies parse(String commaSeparated) {
        Objects.requireNonNull(commaSeparated, "commaSeparated");
        List<String> entries = new ArrayList<>();
        for (String entry : commaSeparated.split(",", -1)) {
            if (!entry.isBlank()) {
                entries.add(entry.strip());
            }
        }
        return of(entries);
    }

    /** The same from a list, one CIDR block or address per element. */
    public static TrustedProxies of(List<String> cidrs) {
        Objects.requireNonNull(cidrs, "cidrs");
        if (cidrs.isEmpty()) {
            return NONE;
        }
        List<String> names = new ArrayList<>();
        int[] v4Networks = new int[cidrs.size()];
        int[] v4Masks = new int[cidrs.size()];
        long[] v6 = new long[4 * cidrs.size()];
        int v4Count = 0;
        int v6Count = 0;
        for (String cidr : cidrs) {
            AddressBlock block = block(Objects.requireNonNull(cidr, "cidr"));
            byte[] network = block.network();
            int prefix = block.prefixLength();
            if (block.isIpv4()) {
                v4Masks[v4Count] = prefix == 0 ? 0 : -1 << (32 - prefix);
                v4Networks[v4Count++] = toInt(network, 0);
            } else {
                int at = 4 * v6Count++;
                v6[at] = toLong(network, 0);
                v6[at + 1] = toLong(network, 8);
                v6[at + 2] = prefix == 0 ? 0 : prefix >= 64 ? -1L : -1L << (64 - prefix);
                v6[at + 3] = prefix <= 64 ? 0 : -1L << (128 - prefix);
            }
            names.add(block.toString());
        }
        return new TrustedProxies(
                List.copyOf(names),
                Arrays.copyOf(v4Networks, v4Count),
                Arrays.copyOf(v4Masks, v4Count),
                Arrays.copyOf(v6, 4 * v6Count));
    }

    private static AddressBlock block(String cidr) {
        try {
            return AddressBlock.parse(cidr);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("trusted proxy " + e.getMessage(), e);
        }
    }

    /** Whether nobody is trusted. */
    public boolean isEmpty() {
        return cidrs.isEmpty();
    }

    /** Whether {@code address} lies in one of the ranges. */
    public boolean contains(InetAddress address) {
        return contains(address.getAddress());
    }

    /** Whether the 4- or 16-byte address lies in one of the ranges; any other length is never trusted. */
    boolean contains(byte[] address) {
        if (AddressBlock.isIpv4Mapped(address)) {
            return containsV4(toInt(address, 12));
        }
        if (address.length == 4) {
            return containsV4(toInt(address, 0));
        }
        if (address.length != 16) {
            return false;
        }
        long high = toLong(address, 0);
        long low = toLong(address, 8);
        for (int i = 0; i < v6.length; i += 4) {
            if ((high & v6[i + 2]) == v6[i] && (low & v6[i + 3]) == v6[i + 1]) {
                return true;
            }
        }
        return false;
    }

    private boolean containsV4(int address) {
        for (int i = 0; i < v4Networks.length; i++) {
            if ((address & v4Masks[i]) == v4Networks[i]) {
                return true;
            }
        }
        return false;
    }

    /** The ranges in canonical form ({@code network/prefix}), in the given order. */
    public List<String> cidrs() {
        return cidrs;
    }

    private static int toInt(byte[] a, int at) {
        return (a[at] & 0xff) << 24 | (a[at + 1] & 0xff) << 16 | (a[at + 2] & 0xff) << 8 | a[at + 3] & 0xff;
    }

    private static long toLong(byte[] a, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (a[at + i] & 0xff);
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrustedProxies other && cidrs.equals(other.cidrs);
    }

    @Override
    public int hashCode() {
        return cidrs.hashCode();
    }

    /** The ranges comma-separated, or {@code none}. */
    @Override
    public String toString() {
        return cidrs.isEmpty() ? "none" : String.join(",", cidrs);
    }
}
