package dev.usher.routing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An IPv4 or IPv6 address block (CIDR): {@code 10.0.0.0/8}, {@code fd00::/8}, or one address ({@code 192.0.2.7} is
 * {@code /32}, {@code ::1} is {@code /128}). The one parser of address blocks in Usher: trusted proxies
 * ({@code proxy-core}), the admin port's {@code --debug-from} ({@code deploy}) and source-range annotations
 * ({@code k8s-watcher}) all use it.
 *
 * <p>Only literal addresses are accepted, never host names, so parsing never resolves DNS (an allow-list that
 * followed DNS would change with it). IPv4 octets are decimal without leading zeros ({@code 010.0.0.1} is refused:
 * {@code inet_aton} would read it as octal). Host bits below the prefix are cleared, as Go's {@code net.ParseCIDR}
 * and nginx's {@code allow} do. An IPv4-mapped IPv6 address ({@code ::ffff:10.1.2.3}) is the IPv4 address it carries,
 * both as a block and as a client, so a dual-stack listener does not bypass an IPv4 block.
 *
 * @param network the block's address with its host bits cleared (4 or 16 bytes)
 * @param prefixLength how many leading bits of {@link #network()} a member shares
 */
public record AddressBlock(byte[] network, int prefixLength) {

    public AddressBlock {
        Objects.requireNonNull(network, "network");
        if (network.length != 4 && network.length != 16) {
            throw new IllegalArgumentException("network must have 4 or 16 bytes, got " + network.length);
        }
        if (prefixLength < 0 || prefixLength > network.length * 8) {
            throw new IllegalArgumentException(
                    "prefix length " + prefixLength + " out of range for " + (network.length == 4 ? "IPv4" : "IPv6"));
        }
        network = mask(network.clone(), prefixLength);
    }

    /**
     * Parses {@code ADDRESS[/PREFIX]}; blanks around it are ignored.
     *
     * @throws IllegalArgumentException naming the text when it is not a literal IPv4 or IPv6 address with a prefix
     *     length in range
     */
    public static AddressBlock parse(String text) {
        Objects.requireNonNull(text, "text");
        String value = text.strip();
        int slash = value.indexOf('/');
        byte[] bytes = literal(slash < 0 ? value : value.substring(0, slash));
        if (bytes == null) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR block "
                    + "(examples: 10.0.0.0/8, 192.0.2.7, fd00::/8)");
        }
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String digits = value.substring(slash + 1);
            prefix = digits.matches("\\d{1,3}") ? Integer.parseInt(digits) : -1;
            if (prefix > bits) {
                prefix = -1;
            }
            if (prefix < 0) {
                throw new IllegalArgumentException("'" + text + "' needs a prefix length of 0 to " + bits);
            }
        }
        if (isIpv4Mapped(bytes) && prefix >= 96) {
            return new AddressBlock(Arrays.copyOfRange(bytes, 12, 16), prefix - 96);
        }
        return new AddressBlock(bytes, prefix);
    }

    /**
     * Parses a comma-separated list; blanks around entries and empty entries are ignored, so an empty text is an
     * empty list.
     *
     * @throws IllegalArgumentException naming the first bad entry
     */
    public static List<AddressBlock> parseList(String commaSeparated) {
        Objects.requireNonNull(commaSeparated, "commaSeparated");
        List<AddressBlock> blocks = new ArrayList<>();
        for (String entry : commaSeparated.split(",", -1)) {
            if (!entry.isBlank()) {
                blocks.add(parse(entry));
            }
        }
        return List.copyOf(blocks);
    }

    /** True when {@code address} lies in this block (an IPv4-mapped IPv6 address counts as its IPv4 address). */
    public boolean contains(InetAddress address) {
        return contains(Objects.requireNonNull(address, "address").getAddress());
    }

    /** The same for the 4 or 16 bytes of an address; any other length is never inside. */
    public boolean contains(byte[] address) {
        byte[] bytes = unmapped(address);
        return bytes.length == network.length && Arrays.equals(mask(bytes.clone(), prefixLength), network);
    }

    /** Whether this is an IPv4 block. */
    public boolean isIpv4() {
        return network.length == 4;
    }

    @Override
    public byte[] network() {
        return network.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AddressBlock that
                && prefixLength == that.prefixLength
                && Arrays.equals(network, that.network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefixLength;
    }

    /** The canonical form: {@code 10.0.0.0/8}, {@code 2001:db8::/32} (RFC 5952 text for IPv6). */
    @Override
    public String toString() {
        return (isIpv4() ? ipv4(network) : ipv6(network)) + "/" + prefixLength;
    }

    /** An IPv4-mapped IPv6 address as its 4 IPv4 bytes; anything else unchanged (not copied). */
    public static byte[] unmapped(byte[] address) {
        return isIpv4Mapped(address) ? Arrays.copyOfRange(address, 12, 16) : address;
    }

    /** Whether the bytes are an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}). */
    public static boolean isIpv4Mapped(byte[] a) {
        if (a.length != 16 || a[10] != (byte) 0xff || a[11] != (byte) 0xff) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** The bytes of an IPv4 or IPv6 literal, or {@code null}; never a DNS lookup. */
    private static byte @Nullable [] literal(String address) {
        if (address.matches("(0|[1-9]\\d{0,2})(\\.(0|[1-9]\\d{0,2})){3}")) {
            byte[] bytes = new byte[4];
            String[] octets = address.split("\\.");
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(octets[i]);
                if (octet > 255) {
                    return null;
                }
                bytes[i] = (byte) octet;
            }
            return bytes;
        }
        if (address.indexOf(':') < 0 || !address.matches("[0-9A-Fa-f:.]+")) {
            return null; // no brackets, zone IDs or names: with a colon, getByName parses an IPv6 literal or fails
        }
        try {
            byte[] bytes = InetAddress.getByName(address).getAddress();
            if (bytes.length == 4) { // the JDK hands back ::ffff:a.b.c.d as IPv4: keep it 16 bytes for its prefix
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xff;
                mapped[11] = (byte) 0xff;
                System.arraycopy(bytes, 0, mapped, 12, 4);
                return mapped;
            }
            return bytes;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static byte[] mask(byte[] bytes, int prefixLength) {
        for (int i = 0; i < bytes.length; i++) {
            int bits = Math.max(0, Math.min(8, prefixLength - i * 8));
            bytes[i] &= (byte) (bits == 0 ? 0 : 0xff << (8 - bits));
        }
        return bytes;
    }

    private static String ipv4(byte[] a) {
        return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
    }

    /** RFC 5952 section 4: lower case, no leading zeros, the first longest run of two or more zero groups as "::". */
    private static String ipv6(byte[] a) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (a[2 * i] & 0xff) << 8 | a[2 * i + 1] & 0xff;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; i++) {
            int end = i;
            while (end < 8 && groups[end] == 0) {
                end++;
            }
            if (end - i > bestLength) {
                bestStart = i;
                bestLength = end - i;
            }
            i = Math.max(i, end);
        }
        StringBuilder out = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
            } else {
                if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                    out.append(':');
                }
                out.append(Integer.toHexString(groups[i]));
            }
        }
        return out.toString();
    }
}
