package dev.usher.deploy;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One JDK TLS connection to 127.0.0.1 that trusts any certificate, so a test can look at the one presented, and
 * sends keep-alive HTTP/1.1 requests with any Host header over it.
 */
final class TlsConnection implements AutoCloseable {

    private final SSLSocket socket;
    private final InputStream in;

    private TlsConnection(SSLSocket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
    }

    /** Connects sending SNI {@code sni} (none when null), offering {@code alpn} if any, and completes the handshake. */
    static TlsConnection open(int port, String sni, String... alpn) throws IOException, GeneralSecurityException {
        // A fresh context per connection: a resumed session could hide which certificate the server picks now.
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        try {
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
            if (alpn.length > 0) {
                parameters.setApplicationProtocols(alpn);
            }
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return new TlsConnection(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** The chain the server presented, leaf first. */
    List<X509Certificate> peerChain() throws IOException {
        return Arrays.stream(socket.getSession().getPeerCertificates()).map(X509Certificate.class::cast).toList();
    }

    X509Certificate leaf() throws IOException {
        return peerChain().get(0);
    }

    String protocol() {
        return socket.getSession().getProtocol();
    }

    String applicationProtocol() {
        return socket.getApplicationProtocol();
    }

    /** Sends one keep-alive GET and reads its response, framed by Content-Length. */
    RawHttp.Response get(String host, String target) throws IOException {
        return KeepAliveClient.get(socket.getOutputStream(), in, host, target);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
