package dev.usher.routing;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * ingress-nginx's request limits of an Ingress ({@code limit-rps}, {@code limit-rpm}, {@code limit-connections},
 * {@code limit-burst-multiplier}, {@code limit-whitelist}), per client address and per Ingress, on each replica.
 *
 * <p>A rate is nginx's {@code limit_req ... nodelay}: a leaky bucket that drains at the rate and may hold
 * {@code burst} requests ({@code rate x burstMultiplier}) beyond the one being served, so a fresh client may send
 * {@code burst + 1} requests at once and then one per {@code 1/rate}. {@code connections} is nginx's
 * {@code limit_conn}: requests of one client address in progress at once. A limit of 0 is off. A client address in
 * {@code exempt} is never limited.
 *
 * @param rps requests a second per client address, 0 for none
 * @param rpm requests a minute per client address, 0 for none
 * @param connections requests in progress at once per client address, 0 for none
 * @param burstMultiplier the burst of each rate, as a multiple of the rate (5 by default)
 * @param exempt client address blocks no limit applies to
 */
public record RateLimit(int rps, int rpm, int connections, int burstMultiplier, List<AddressBlock> exempt) {

    /** ingress-nginx's default {@code limit-burst-multiplier}. */
    public static final int DEFAULT_BURST_MULTIPLIER = 5;

    public RateLimit {
        if (rps < 0 || rpm < 0 || connections < 0 || burstMultiplier < 0) {
            throw new IllegalArgumentException("limits must be >= 0: rps " + rps + ", rpm " + rpm + ", connections "
                    + connections + ", burst multiplier " + burstMultiplier);
        }
        if (rps == 0 && rpm == 0 && connections == 0) {
            throw new IllegalArgumentException("a rate limit needs rps, rpm or connections");
        }
        exempt = List.copyOf(Objects.requireNonNull(exempt, "exempt"));
    }

    /** The burst of a rate: how many requests beyond the one served the bucket may hold. */
    public long burst(int rate) {
        return (long) rate * burstMultiplier;
    }

    /** Whether a client at {@code address} is exempt ({@code limit-whitelist}). */
    public boolean exempts(InetAddress address) {
        for (AddressBlock block : exempt) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
