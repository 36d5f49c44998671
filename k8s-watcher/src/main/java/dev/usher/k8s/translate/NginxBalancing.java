package dev.usher.k8s.translate;

import dev.usher.routing.Balancing;
import dev.usher.routing.NginxTemplate;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * ingress-nginx's per-Ingress load balancing: {@code load-balance} ({@code round_robin}; {@code ewma}, which weighs
 * endpoints by their recent latency, becomes Usher's least-request: two random endpoints, the one with fewer requests
 * in flight) and {@code upstream-hash-by} (consistent hashing on a value with nginx variables, {@code $request_uri},
 * {@code $remote_addr}, ...; it wins over {@code load-balance}, as in ingress-nginx), with
 * {@code upstream-hash-by-subset: "true"} a subset of {@code upstream-hash-by-subset-size} endpoints (default 3) per
 * value, a random member of it per request (ignored without {@code upstream-hash-by}). An invalid value is reported and
 * ignored: the data plane's {@code --load-balancing} stays (an invalid size: the default 3).
 */
final class NginxBalancing {

    static final String LOAD_BALANCE = "load-balance";
    static final String HASH_BY = "upstream-hash-by";
    static final String SUBSET = "upstream-hash-by-subset";
    static final String SUBSET_SIZE = "upstream-hash-by-subset-size";

    /** ingress-nginx's {@code upstream-hash-by-subset-size} when it is not given. */
    static final int DEFAULT_SUBSET_SIZE = 3;

    /** The largest subset accepted: a subset is chosen per request in O(endpoints x size). */
    static final int MAX_SUBSET_SIZE = 1000;

    private NginxBalancing() {}

    /** The Ingress's balancing, or {@code null} when it names none (or only invalid values). */
    static @Nullable Balancing read(Map<String, String> a) {
        String kindValue = value(a, LOAD_BALANCE);
        String hashValue = value(a, HASH_BY);
        Balancing.Kind kind = kindValue == null ? null : kind(kindValue);
        NginxTemplate hashBy = hashValue == null ? null : NginxTemplate.parse(hashValue);
        int subsetSize = 0;
        if (hashBy != null && "true".equalsIgnoreCase(value(a, SUBSET))) {
            String size = value(a, SUBSET_SIZE);
            subsetSize = size == null ? DEFAULT_SUBSET_SIZE : subsetSize(size);
        }
        return kind == null && hashBy == null ? null : new Balancing(kind, hashBy, subsetSize);
    }

    /** What is wrong with {@code value} of annotation {@code name} (one of this class's), or {@code null}. */
    static @Nullable String problem(String name, String value) {
        return switch (name) {
            case LOAD_BALANCE -> kind(value) != null ? null : "expected round_robin or ewma";
            case HASH_BY -> hashProblem(value);
            case SUBSET ->
                "true".equalsIgnoreCase(value) || "false".equalsIgnoreCase(value)
                        ? null
                        : "expected \"true\" or \"false\"";
            case SUBSET_SIZE -> subsetSize(value) > 0 ? null : "expected a whole number from 1 to " + MAX_SUBSET_SIZE;
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static @Nullable String hashProblem(String value) {
        if (value.isEmpty()) {
            return "expected a value to hash, such as $request_uri or $remote_addr";
        }
        try {
            NginxTemplate.parse(value);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** The size in {@code value}, or 0 when it is not a whole number from 1 to {@link #MAX_SUBSET_SIZE}. */
    private static int subsetSize(String value) {
        if (value.isEmpty() || value.length() > 4 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return 0;
        }
        int size = Integer.parseInt(value);
        return size <= MAX_SUBSET_SIZE ? size : 0;
    }

    private static Balancing.@Nullable Kind kind(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "round_robin" -> Balancing.Kind.ROUND_ROBIN;
            case "ewma" -> Balancing.Kind.LEAST_REQUEST;
            default -> null;
        };
    }

    /** The stripped value when present and valid, else {@code null}. */
    private static @Nullable String value(Map<String, String> a, String name) {
        String value = a.get(Annotations.NGINX + name);
        if (value == null) {
            return null;
        }
        String v = value.strip();
        return problem(name, v) == null ? v : null;
    }
}
