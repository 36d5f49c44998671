package dev.usher.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;

/**
 * Builds the server {@link SslContext} for one certificate: TLS 1.2 and 1.3 only, forward-secret AEAD ciphers,
 * ALPN offering {@code h2}, then {@code http/1.1}.
 *
 * <p>Session resumption: a client that comes back resumes its session and skips the certificate and the signature,
 * as browsers do when they reconnect. Each context resumes only its own sessions, never another certificate's or CA
 * bundle's. On TLS 1.2 by session id from the context's server-side cache, within {@link #SESSION_TIMEOUT_SECONDS}
 * (ingress-nginx's {@code ssl-session-timeout}). On TLS 1.3 by a stateless ticket: on OpenSSL (BoringSSL) the ticket is
 * sealed with a key BoringSSL generates for the context, keeps in memory only and rotates itself every two days, and is
 * good for BoringSSL's two days ({@code SSL_CTX_set_timeout} does not reach TLS 1.3, and netty-tcnative has no call for
 * its {@code session_psk_dhe_timeout}); on the JDK, its own per-context ticket key and lifetime. No key is shared
 * between contexts or replicas or configured anywhere. A resumed session keeps the client certificate it was made
 * with, which each connection is judged by again against the route's current CA bundle, revocation list and the
 * certificate's dates; a changed CA bundle is a new context, which no older ticket resumes in.
 */
final class ServerContexts {

    /** TLS 1.3 suites (all AEAD), then TLS 1.2 ECDHE with AES-GCM or ChaCha20-Poly1305, ECDSA before RSA. */
    static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    /**
     * How long a TLS 1.2 session may be resumed: ingress-nginx's {@code ssl-session-timeout} default, 10 minutes (TLS
     * 1.3 tickets: see the class comment).
     */
    static final int SESSION_TIMEOUT_SECONDS = 600;

    // h2 first (RFC 9113 §3.2, and every cipher above is allowed for it by §9.2.2); a client that offers neither gets
    // no ALPN answer and speaks HTTP/1.1. The listener picks its pipeline from the negotiated protocol.
    private static final ApplicationProtocolConfig ALPN = new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2,
            ApplicationProtocolNames.HTTP_1_1);

    private ServerContexts() {}

    /** OpenSSL (BoringSSL from netty-tcnative) when its native library loads on this machine, else the JDK. */
    static SslProvider preferredProvider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** The name used in logs for {@code provider}: {@code "OpenSSL"} or {@code "JDK"}. */
    static String name(SslProvider provider) {
        return provider == SslProvider.JDK ? "JDK" : "OpenSSL";
    }

    /**
     * The key and chain of {@code certificate} for OpenSSL, converted to native key material once and kept. Given the
     * key itself, Netty puts it behind a key manager whose material it converts again in every handshake (it cannot
     * know that the key never changes): about 0.3 ms of CPU per new connection (benchmarks/handshakes.sh, ECDSA
     * P-256: 742 → 951 connections per CPU-second at the same JIT warm-up). A certificate here never changes: a new
     * one gets a new context.
     */
    private static KeyManagerFactory keyMaterialOnce(TlsCertificate certificate) throws SSLException {
        try {
            char[] password = new char[0]; // the store lives in memory only
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(
                    "key", certificate.key(), password, certificate.chain().toArray(new Certificate[0]));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            return new OpenSslCachingX509KeyManagerFactory(keys);
        } catch (GeneralSecurityException | IOException e) {
            throw new SSLException("cannot load the key of " + certificate.id(), e);
        }
    }

    /** Builds a server context for {@code certificate}; may take milliseconds, so never call it on an event loop. */
    static SslContext build(TlsCertificate certificate, SslProvider provider) throws SSLException {
        return build(certificate, List.of(), provider);
    }

    /**
     * As {@link #build(TlsCertificate, SslProvider)}; with {@code clientCas}, the handshake asks for a client
     * certificate and names those CAs in its request, as nginx's {@code ssl_verify_client} does. The handshake takes
     * whatever the client sends, or nothing: like nginx, Usher judges the certificate per request, so that a refused
     * client gets an HTTP answer (400, or the error page) instead of a TLS alert.
     */
    static SslContext build(TlsCertificate certificate, List<X509Certificate> clientCas, SslProvider provider)
            throws SSLException {
        return build(certificate, clientCas, List.of(), provider);
    }

    /**
     * As {@link #build(TlsCertificate, List, SslProvider)}, offering the TLS 1.2 suites {@code ciphers} (IANA names in
     * preference order, ingress-nginx's {@code ssl-ciphers} evaluated by {@link CipherLists}) instead of the default
     * ones; TLS 1.3 suites stay. Empty: the default list.
     */
    static SslContext build(
            TlsCertificate certificate, List<X509Certificate> clientCas, List<String> ciphers, SslProvider provider)
            throws SSLException {
        List<String> offered = CIPHERS;
        if (!ciphers.isEmpty()) {
            offered = new ArrayList<>(CipherLists.TLS13);
            offered.addAll(ciphers);
        }
        SslContextBuilder builder = (provider == SslProvider.JDK
                        ? SslContextBuilder.forServer(
                                certificate.key(), certificate.chain().toArray(new X509Certificate[0]))
                        : SslContextBuilder.forServer(keyMaterialOnce(certificate)))
                .sslProvider(provider)
                .protocols(PROTOCOLS)
                .ciphers(offered, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(ALPN);
        if (!clientCas.isEmpty()) {
            builder.clientAuth(ClientAuth.OPTIONAL).trustManager(new ClientCertificateRequest(clientCas));
        }
        return builder.sessionTimeout(SESSION_TIMEOUT_SECONDS).build();
    }
}
