package dev.usher.routing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;

/**
 * An IPv4 or IPv6 address block: {@code 10.0.0.0/8}, {@code fd00::/8}, or one address ({@code 192.0.2.7} is
 * {@code /32}, {@code ::1} is {@code /128}).
 *
 * <p>Only literal addresses are accepted, never host names: parsing must not resolve DNS, and an allow-list that
 * followed DNS would change with it. An IPv4-mapped IPv6 client ({@code ::ffff:10.1.2.3}) is compared as the IPv4
 * address it carries, so a dual-stack listener does not bypass an IPv4 block.
 *
 * @param network the block's address with its host bits cleared (4 or 16 bytes)
 * @param prefixLength how many leading bits of {@link #network()} a member shares
 */
public record Cidr(byte[] network, int prefixLength) {

    public Cidr {
        Objects.requireNonNull(network, "network");
        if (network.length != 4 && network.length != 16) {
            throw new IllegalArgumentException("network must have 4 or 16 bytes, got " + network.length);
        }
        if (prefixLength < 0 || prefixLength > network.length * 8) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range for "
                    + (network.length == 4 ? "IPv4" : "IPv6"));
        }
        network = mask(network.clone(), prefixLength);
    }

    /**
     * Parses {@code ADDRESS[/PREFIX]}.
     *
     * @throws IllegalArgumentException when it is not a literal IPv4 or IPv6 address with a prefix in range
     */
    public static Cidr parse(String text) {
        Objects.requireNonNull(text, "text");
        String value = text.trim();
        int slash = value.indexOf('/');
        String address = slash < 0 ? value : value.substring(0, slash);
        byte[] bytes = literal(address);
        if (bytes == null) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR block "
                    + "(examples: 10.0.0.0/8, 192.0.2.7, fd00::/8)");
        }
        int prefix = bytes.length * 8;
        if (slash >= 0) {
            String digits = value.substring(slash + 1);
            if (!digits.matches("\\d{1,3}")) {
                throw new IllegalArgumentException("'" + text + "' has no valid prefix length after '/'");
            }
            prefix = Integer.parseInt(digits);
        }
        return new Cidr(bytes, prefix);
    }

    /** True when {@code address} lies in this block (an IPv4-mapped IPv6 address counts as its IPv4 address). */
    public boolean contains(InetAddress address) {
        byte[] bytes = unmapped(Objects.requireNonNull(address, "address").getAddress());
        if (bytes.length != network.length) {
            return false;
        }
        return Arrays.equals(mask(bytes, prefixLength), network);
    }

    @Override
    public byte[] network() {
        return network.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Cidr that && prefixLength == that.prefixLength && Arrays.equals(network, that.network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefixLength;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen: 4 or 16 bytes
        }
    }

    /** The bytes of an IPv4 or IPv6 literal, or {@code null}; never a DNS lookup. */
    private static byte[] literal(String address) {
        boolean ipv4 = address.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean ipv6 = address.indexOf(':') >= 0 && address.matches("[0-9A-Fa-f:.]+");
        if (!ipv4 && !ipv6) {
            return null;
        }
        try {
            // With only digits, dots, colons and hex letters, getByName parses a literal and never resolves.
            return InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static byte[] unmapped(byte[] bytes) {
        if (bytes.length == 16) {
            for (int i = 0; i < 10; i++) {
                if (bytes[i] != 0) {
                    return bytes;
                }
            }
            if (bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff) {
                return Arrays.copyOfRange(bytes, 12, 16);
            }
        }
        return bytes;
    }

    private static byte[] mask(byte[] bytes, int prefixLength) {
        for (int i = 0; i < bytes.length; i++) {
            int bits = Math.max(0, Math.min(8, prefixLength - i * 8));
            bytes[i] &= (byte) (bits == 0 ? 0 : 0xff << (8 - bits));
        }
        return bytes;
    }
}
