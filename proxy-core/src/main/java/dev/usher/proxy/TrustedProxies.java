package dev.usher.proxy;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The address ranges (CIDR blocks, IPv4 and IPv6) whose forwarding headers Usher believes; immutable.
 *
 * <p>Built once from text such as {@code 10.0.0.0/8,2001:db8::/32,192.0.2.7} (a bare address is a /32 or /128). Host
 * bits below the prefix are ignored, as Go's {@code net.ParseCIDR} and nginx's {@code set_real_ip_from} do. Parsing
 * accepts IP literals only (never a host name, so never DNS). Matching is a scan of primitive arrays with no
 * allocation; an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) matches the IPv4 ranges.
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
            Objects.requireNonNull(cidr, "cidr");
            int slash = cidr.indexOf('/');
            String address = slash < 0 ? cidr : cidr.substring(0, slash);
            byte[] bytes = address.indexOf('[') >= 0 || address.indexOf('%') >= 0 ? null
                    : NetUtil.createByteArrayFromIpAddressString(address);
            if (bytes == null) {
                throw new IllegalArgumentException("trusted proxy '" + cidr + "' is not an IP address or CIDR block");
            }
            bytes = unmapped(bytes);
            int bits = bytes.length * 8;
            int prefix = slash < 0 ? bits : prefixLength(cidr, slash + 1, bits);
            if (bytes.length == 4) {
                int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
                v4Masks[v4Count] = mask;
                v4Networks[v4Count++] = toInt(bytes) & mask;
                names.add(NetUtil.intToIpAddress(toInt(bytes) & mask) + "/" + prefix);
            } else {
                long maskHigh = prefix == 0 ? 0 : prefix >= 64 ? -1L : -1L << (64 - prefix);
                long maskLow = prefix <= 64 ? 0 : -1L << (128 - prefix);
                int at = 4 * v6Count++;
                v6[at] = toLong(bytes, 0) & maskHigh;
                v6[at + 1] = toLong(bytes, 8) & maskLow;
                v6[at + 2] = maskHigh;
                v6[at + 3] = maskLow;
                names.add(NetUtil.bytesToIpAddress(network(v6[at], v6[at + 1])) + "/" + prefix);
            }
        }
        return new TrustedProxies(List.copyOf(names), Arrays.copyOf(v4Networks, v4Count),
                Arrays.copyOf(v4Masks, v4Count), Arrays.copyOf(v6, 4 * v6Count));
    }

    private static int prefixLength(String cidr, int from, int bits) {
        String text = cidr.substring(from);
        boolean digits = !text.isEmpty() && text.length() <= 3 && text.chars().allMatch(c -> c >= '0' && c <= '9');
        int prefix = digits ? Integer.parseInt(text) : -1;
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("trusted proxy '" + cidr + "' needs a prefix length of 0 to " + bits);
        }
        return prefix;
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
        if (address.length == 16 && isMapped(address)) {
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

    /** An IPv4-mapped IPv6 address as its 4 IPv4 bytes; anything else unchanged. */
    static byte[] unmapped(byte[] address) {
        return address.length == 16 && isMapped(address) ? Arrays.copyOfRange(address, 12, 16) : address;
    }

    private static boolean isMapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    private static int toInt(byte[] a) {
        return toInt(a, 0);
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

    private static byte[] network(long high, long low) {
        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (high >>> (56 - 8 * i));
            out[8 + i] = (byte) (low >>> (56 - 8 * i));
        }
        return out;
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
