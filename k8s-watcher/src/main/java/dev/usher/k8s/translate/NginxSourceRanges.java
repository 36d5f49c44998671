package dev.usher.k8s.translate;

import dev.usher.routing.AddressBlock;
import dev.usher.routing.SourceRanges;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * ingress-nginx's {@code allowlist-source-range} (and its old name {@code whitelist-source-range}; the new name wins
 * when both are set) and {@code denylist-source-range}: comma-separated CIDR blocks or addresses, parsed by
 * {@link AddressBlock} (literals only, never DNS). A value that does not parse fails closed, as in ingress-nginx: the Ingress's
 * paths answer 503 ({@link #denied}) and the audit reports why ({@link #problem}); ignoring a broken allow-list would
 * open the door it was meant to close.
 */
final class NginxSourceRanges {

    static final String ALLOW = "allowlist-source-range";
    static final String WHITELIST = "whitelist-source-range";
    static final String DENY = "denylist-source-range";

    private NginxSourceRanges() {}

    /** The ranges, or {@link SourceRanges#ANY} when none is set or one is invalid (then {@link #denied} says so). */
    static SourceRanges ranges(Map<String, String> a) {
        List<AddressBlock> allow = parse(allowValue(a));
        List<AddressBlock> deny = parse(a.get(Annotations.NGINX + DENY));
        return allow == null || deny == null ? SourceRanges.ANY : new SourceRanges(allow, deny);
    }

    /** Why the Ingress must fail closed because of its source ranges, or {@code null}. */
    static String denied(Map<String, String> a) {
        for (String name : new String[] {ALLOW, WHITELIST, DENY}) {
            String value = a.get(Annotations.NGINX + name);
            String problem = value == null ? null : problem(value);
            if (problem != null) {
                return Annotations.NGINX + name + ": " + problem;
            }
        }
        return null;
    }

    /** What is wrong with a range list, or {@code null}. */
    static String problem(String value) {
        try {
            parseOrThrow(value);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage() + "; the Ingress fails closed (503)";
        }
    }

    private static String allowValue(Map<String, String> a) {
        String allow = a.get(Annotations.NGINX + ALLOW);
        return allow != null ? allow : a.get(Annotations.NGINX + WHITELIST);
    }

    private static List<AddressBlock> parse(String value) {
        if (value == null) {
            return List.of();
        }
        try {
            return parseOrThrow(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static List<AddressBlock> parseOrThrow(String value) {
        List<AddressBlock> blocks = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            if (part.isBlank()) {
                continue;
            }
            blocks.add(AddressBlock.parse(part.strip()));
        }
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("no CIDR block in " + Problems.quote(value));
        }
        return blocks;
    }
}
