package dev.usher.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The trust manager of a context that asks for client certificates (ingress-nginx's {@code auth-tls-secret}): it
 * names the Secret's CAs in the certificate request, so that a client with several certificates picks the right one,
 * and lets the handshake go on whatever the client sends.
 *
 * <p>Accepting here is not trusting: this is what nginx does (its verify callback always continues and
 * {@code ssl_verify_client} is enforced per request). The proxy verifies the chain the session holds against the
 * route's CAs before any request of the host is served, and answers 400 (or the error page) when it must not pass.
 * Only the client side is implemented: a server context never checks a server's certificate.
 */
final class ClientCertificateRequest extends X509ExtendedTrustManager {

    private final X509Certificate[] issuers;

    ClientCertificateRequest(List<X509Certificate> cas) {
        this.issuers = cas.toArray(new X509Certificate[0]);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        // judged per request by the proxy, against the route's CAs (see the class comment)
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        // as above
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
        // as above
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("a server context does not verify servers");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("a server context does not verify servers");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a server context does not verify servers");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return issuers.clone();
    }
}
