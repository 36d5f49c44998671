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
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.CertificateException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;

/**
 * The client {@link SslContext}s of TLS connections to origins: one per {@link OriginTls} (a CA set, a verify flag,
 * a name, and the protocols, ciphers and verify depth of ingress-nginx's {@code proxy-ssl-*}), built on first use and
 * shared by every event loop, never one per connection or request.
 *
 * <p>OpenSSL (BoringSSL from netty-tcnative) when it loads, else the JDK, as on the listeners. Verification on: the
 * chain must lead to the given CAs (or the JVM's default ones) and the certificate must carry the server name
 * (endpoint identification {@code HTTPS}). Off: any certificate is accepted, as ingress-nginx does by default.
 */
final class OriginTlsContexts {

    /** Beyond this many CA sets (rotations pile up), the cache starts over; contexts in use stay referenced. */
    private static final int MAX_CACHED = 64;

    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final List<String> TLS13_SUITES =
            List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");
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
        String[] protocols =
                tls.protocols().isEmpty() ? PROTOCOLS : tls.protocols().toArray(new String[0]);
        SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                .protocols(protocols);
        if (!tls.ciphers().isEmpty()) {
            // The cipher string chooses TLS 1.2 suites only; TLS 1.3's stay (OpenSSL's rule), else a JDK engine
            // offering TLSv1.3 would have no suite for it. A name this engine lacks is dropped, not a build error.
            List<String> ciphers = new ArrayList<>(tls.ciphers());
            ciphers.addAll(TLS13_SUITES);
            builder.ciphers(ciphers, SupportedCipherSuiteFilter.INSTANCE);
        }
        if (h2) {
            builder.applicationProtocolConfig(ALPN_H2);
        }
        try {
            if (!tls.verify()) {
                builder.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
            } else {
                if (tls.verifyDepth() > 0) {
                    builder.trustManager(DepthLimit.of(tls.trusted(), tls.verifyDepth()));
                } else if (!tls.trusted().isEmpty()) {
                    builder.trustManager(tls.trusted().toArray(new X509Certificate[0]));
                }
                builder.endpointIdentificationAlgorithm("HTTPS");
            }
            return builder.build();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a TLS client context for origins (" + tls + ")", e);
        }
    }

    /**
     * The JDK's PKIX trust manager for the given CAs (the JVM's default ones when empty), which also refuses a chain
     * needing more than {@code depth} intermediate CA certificates to reach one of them: OpenSSL's verify depth, as
     * nginx's {@code proxy_ssl_verify_depth}. The name check stays the delegate's (it reads the engine's endpoint
     * identification), so nothing of the usual verification is lost.
     */
    static final class DepthLimit extends X509ExtendedTrustManager {

        private final X509ExtendedTrustManager delegate;
        private final Set<TrustAnchor> anchors = new HashSet<>();
        private final int depth;

        private DepthLimit(X509ExtendedTrustManager delegate, int depth) {
            this.delegate = delegate;
            this.depth = depth;
            for (X509Certificate ca : delegate.getAcceptedIssuers()) {
                anchors.add(new TrustAnchor(ca, null));
            }
        }

        static DepthLimit of(List<X509Certificate> trusted, int depth) throws GeneralSecurityException, IOException {
            KeyStore store = null;
            if (!trusted.isEmpty()) {
                store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                for (int i = 0; i < trusted.size(); i++) {
                    store.setCertificateEntry("ca-" + i, trusted.get(i));
                }
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager extended) {
                    return new DepthLimit(extended, depth);
                }
            }
            throw new KeyStoreException("the JDK's PKIX trust manager factory made no X509ExtendedTrustManager");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate.checkServerTrusted(chain, authType, engine);
            checkDepth(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate.checkServerTrusted(chain, authType, socket);
            checkDepth(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkServerTrusted(chain, authType);
            checkDepth(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("origin contexts never judge client certificates");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("origin contexts never judge client certificates");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("origin contexts never judge client certificates");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }

        /** A path from the leaf to a trusted CA through at most {@code depth} intermediates, or an exception. */
        private void checkDepth(X509Certificate[] chain) throws CertificateException {
            if (chain.length == 0) {
                throw new CertificateException("the origin sent no certificate");
            }
            for (TrustAnchor anchor : anchors) {
                if (anchor.getTrustedCert().equals(chain[0])) {
                    return;
                }
            }
            try {
                X509CertSelector target = new X509CertSelector();
                target.setCertificate(chain[0]);
                PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, target);
                parameters.setRevocationEnabled(false); // the delegate's checks stand as they were
                parameters.setMaxPathLength(depth);
                parameters.addCertStore(
                        CertStore.getInstance("Collection", new CollectionCertStoreParameters(List.of(chain))));
                CertPathBuilder.getInstance("PKIX").build(parameters);
            } catch (GeneralSecurityException e) {
                throw new CertificateException(
                        "no path from the origin's certificate to a trusted CA within " + depth
                                + " intermediate certificate(s) (proxy-ssl-verify-depth)",
                        e);
            }
        }
    }
}
