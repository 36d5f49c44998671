package dev.usher.routing;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a route reaches its origins: the {@link BackendProtocol} and, for a TLS protocol, its {@link OriginTls}.
 *
 * <p>Built once per route when a snapshot is compiled, so a request reads it from its {@link Route} without a lookup.
 * An upstream with a {@code refusal} cannot be used safely (a CA Secret that is missing or broken): its routes answer
 * 503 instead of connecting without the verification that was asked for.
 *
 * @param protocol how to speak to the origin
 * @param tls what the TLS handshake checks; {@code null} unless {@code protocol.tls()}
 * @param refusal why requests of this route must not reach the origin, or {@code null}
 */
public record Upstream(
        BackendProtocol protocol,
        @Nullable OriginTls tls,
        @Nullable String refusal) {

    /** HTTP/1.1 in cleartext, the default and the upstream of every route that says nothing else. */
    public static final Upstream HTTP = new Upstream(BackendProtocol.HTTP, null, null);

    public Upstream {
        Objects.requireNonNull(protocol, "protocol");
        if (protocol.tls() && tls == null) {
            tls = OriginTls.INSECURE;
        }
        if (!protocol.tls()) {
            tls = null;
        }
    }

    /** A usable upstream speaking {@code protocol} with {@code tls} (ignored unless the protocol uses TLS). */
    public static Upstream of(BackendProtocol protocol, @Nullable OriginTls tls) {
        return protocol == BackendProtocol.HTTP ? HTTP : new Upstream(protocol, tls, null);
    }

    /** An upstream whose routes answer 503, saying {@code why}. */
    public static Upstream refused(BackendProtocol protocol, String why) {
        return new Upstream(protocol, null, Objects.requireNonNull(why, "why"));
    }

    @Override
    public String toString() {
        return protocol + (tls == null ? "" : " (" + tls + ")") + (refusal == null ? "" : " refused: " + refusal);
    }
}
