package dev.usher.routing;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An Ingress's retry settings (ingress-nginx's {@code proxy-next-upstream}, {@code -tries}, {@code -timeout}); a
 * {@code null} component is not set by the Ingress and the data plane's flag applies.
 *
 * @param on the failures that are retried, {@code null} to inherit; empty means {@code off}
 * @param tries the most attempts in all, the first included; 0 means "every endpoint once" (nginx's unlimited, capped
 *     by the data plane); {@code null} to inherit
 * @param timeout no retry starts once this much time passed since the first attempt; zero means no limit;
 *     {@code null} to inherit
 */
public record RetryPolicy(
        @Nullable Set<RetryOn> on,
        @Nullable Integer tries,
        @Nullable Duration timeout) {

    /** Sets nothing: every component comes from the data plane's flags. */
    public static final RetryPolicy INHERIT = new RetryPolicy(null, null, null);

    public RetryPolicy {
        on = on == null ? null : on.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(on));
        if (tries != null && tries < 0) {
            throw new IllegalArgumentException("tries must be >= 0: " + tries);
        }
        if (timeout != null && timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
    }
}
