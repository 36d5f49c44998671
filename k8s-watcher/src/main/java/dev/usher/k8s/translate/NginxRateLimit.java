package dev.usher.k8s.translate;

import dev.usher.routing.AddressBlock;
import dev.usher.routing.RateLimit;
import dev.usher.routing.ResponseRate;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * ingress-nginx's request limits: {@code limit-rps}, {@code limit-rpm}, {@code limit-connections} (whole numbers, 0
 * is off), {@code limit-burst-multiplier} (default 5) and {@code limit-whitelist} (its newer name
 * {@code limit-allowlist} wins when both are set: comma-separated CIDR blocks exempt from every limit). ingress-nginx
 * builds one zone per Ingress and limit, keyed by client address; the data plane does the same.
 *
 * <p>{@code limit-rate} and {@code limit-rate-after} (KiB, whole numbers, 0 is off) pace each response body instead
 * ({@link #responseRate}).
 *
 * <p>A bad number is reported and that limit ignored, as ingress-nginx ignores an annotation that fails validation; a
 * bad multiplier keeps the default 5. A bad exempt list is reported and no address is exempt: the limits still apply
 * to everyone, so a typo in an exemption never lifts the protection (ingress-nginx would drop the limits instead).
 */
final class NginxRateLimit {

    static final String RPS = "limit-rps";
    static final String RPM = "limit-rpm";
    static final String CONNECTIONS = "limit-connections";
    static final String BURST_MULTIPLIER = "limit-burst-multiplier";
    static final String WHITELIST = "limit-whitelist";
    static final String ALLOWLIST = "limit-allowlist";
    static final String RATE = "limit-rate";
    static final String RATE_AFTER = "limit-rate-after";

    private NginxRateLimit() {}

    /** The limits, or {@code null} when no rate or connection limit is set (or none is valid). */
    static @Nullable RateLimit read(Map<String, String> a) {
        int rps = number(a, RPS, 0);
        int rpm = number(a, RPM, 0);
        int connections = number(a, CONNECTIONS, 0);
        if (rps == 0 && rpm == 0 && connections == 0) {
            return null;
        }
        String exempt = a.get(Annotations.NGINX + ALLOWLIST);
        exempt = exempt != null ? exempt : a.get(Annotations.NGINX + WHITELIST);
        List<AddressBlock> blocks =
                exempt == null || problem(WHITELIST, exempt) != null ? List.of() : AddressBlock.parseList(exempt);
        return new RateLimit(
                rps, rpm, connections, number(a, BURST_MULTIPLIER, RateLimit.DEFAULT_BURST_MULTIPLIER), blocks);
    }

    /** What is wrong with {@code value} of annotation {@code name} (one of this class's), or {@code null}. */
    static @Nullable String problem(String name, String value) {
        return switch (name) {
            case RPS, RPM, CONNECTIONS, BURST_MULTIPLIER, RATE, RATE_AFTER ->
                value.strip().matches("\\d{1,9}") ? null : "expected a whole number from 0 to 999999999";
            case WHITELIST, ALLOWLIST -> cidrProblem(value);
            default -> throw new IllegalArgumentException(name);
        };
    }

    /**
     * nginx's {@code limit_rate} and {@code limit_rate_after} as ingress-nginx renders them ({@code <n>k}: KiB), or
     * {@code null} when {@code limit-rate} is absent, 0 or invalid (a bad {@code limit-rate-after} is reported and
     * taken as 0: the whole body is paced, never the other way round).
     */
    static @Nullable ResponseRate responseRate(Map<String, String> a) {
        long rate = number(a, RATE, 0);
        if (rate == 0) {
            return null;
        }
        return new ResponseRate(rate * 1024, number(a, RATE_AFTER, 0) * 1024L);
    }

    private static @Nullable String cidrProblem(String value) {
        try {
            AddressBlock.parseList(value);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage() + "; no address is exempt, the limits apply to every client";
        }
    }

    private static int number(Map<String, String> a, String name, int otherwise) {
        String value = a.get(Annotations.NGINX + name);
        return value == null || problem(name, value) != null ? otherwise : Integer.parseInt(value.strip());
    }
}
