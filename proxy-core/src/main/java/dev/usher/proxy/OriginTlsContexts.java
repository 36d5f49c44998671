package dev.usher.proxy;

import dev.usher.routing.OriginTls;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * The client {@link SslContext}s of TLS connections to origins: one per {@link OriginTls} (a CA set, a verify flag
 * and a name), built on first use and shared by every event loop, never one per connection.
 *
 * <p>OpenSSL (BoringSSL from netty-tcnative) when it loads, else the JDK, as on the listeners. Verification on: the
 * chain must lead to the given CAs (or the JVM's default ones) and the certificate must carry the server name
 * (endpoint identification {@code HTTPS}). Off: any certificate is accepted, as ingress-nginx does by default.
 */
final class OriginTlsContexts {

    /** Beyond this many CA sets (rotations pile up), the cache starts over; contexts in use stay referenced. */
    private static final int MAX_CACHED = 64;

    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final Map<OriginTls, SslContext> CONTEXTS = new ConcurrentHashMap<>();
    private static final Map<OriginTls, SslContext> H2_CONTEXTS = new ConcurrentHashMap<>();
    private static final ApplicationProtocolConfig ALPN_H2 = new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN, ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2);

    private OriginTlsContexts() {}

    /** The context for {@code tls}, HTTP/1.1. */
    static SslContext of(OriginTls tls) {
        return cached(CONTEXTS, tls, false);
    }

    /** The context for {@code tls} offering ALPN {@code h2} alone (the pool checks the origin agreed). */
    static SslContext http2(OriginTls tls) {
        return cached(H2_CONTEXTS, tls, true);
    }

    /** A handler of {@code context} for one connection: SNI {@code serverName} (none when null) and a timeout. */
    static SslHandler handler(
            SslContext context, ByteBufAllocator alloc, @Nullable String serverName, long timeoutMillis) {
        SslHandler ssl = serverName == null ? context.newHandler(alloc) : context.newHandler(alloc, serverName, -1);
        ssl.setHandshakeTimeoutMillis(timeoutMillis);
        return ssl;
    }

    private static SslContext cached(Map<OriginTls, SslContext> contexts, OriginTls tls, boolean h2) {
        SslContext context = contexts.get(tls);
        if (context != null) {
            return context;
        }
        if (contexts.size() >= MAX_CACHED) {
            contexts.clear();
        }
        return contexts.computeIfAbsent(tls, t -> build(t, h2));
    }

    private static SslContext build(OriginTls tls, boolean h2) {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                .protocols(PROTOCOLS);
        if (h2) {
            builder.applicationProtocolConfig(ALPN_H2);
        }
        if (!tls.verify()) {
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
        } else {
            if (!tls.trusted().isEmpty()) {
                builder.trustManager(tls.trusted().toArray(new X509Certificate[0]));
            }
            builder.endpointIdentificationAlgorithm("HTTPS");
        }
        try {
            return builder.build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build a TLS client context for origins (" + tls + ")", e);
        }
    }
}
