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
 * {@code $remote_addr}, ...; it wins over {@code load-balance}, as in ingress-nginx). An invalid value is reported and
 * ignored: the data plane's {@code --load-balancing} stays.
 */
final class NginxBalancing {

    static final String LOAD_BALANCE = "load-balance";
    static final String HASH_BY = "upstream-hash-by";

    private NginxBalancing() {}

    /** The Ingress's balancing, or {@code null} when it names none (or only invalid values). */
    static @Nullable Balancing read(Map<String, String> a) {
        String kindValue = value(a, LOAD_BALANCE);
        String hashValue = value(a, HASH_BY);
        Balancing.Kind kind = kindValue == null ? null : kind(kindValue);
        NginxTemplate hashBy = hashValue == null ? null : NginxTemplate.parse(hashValue);
        return kind == null && hashBy == null ? null : new Balancing(kind, hashBy);
    }

    /** What is wrong with {@code value} of annotation {@code name} (one of this class's), or {@code null}. */
    static @Nullable String problem(String name, String value) {
        return switch (name) {
            case LOAD_BALANCE -> kind(value) != null ? null : "expected round_robin or ewma";
            case HASH_BY -> hashProblem(value);
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
