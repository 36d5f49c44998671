package dev.usher.tls;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/** A JDK TLS client that trusts every certificate, so tests can look at whichever one the server presents. */
final class JdkTlsClient implements AutoCloseable {

    private final SSLSocket socket;

    private JdkTlsClient(SSLSocket socket) {
        this.socket = socket;
    }

    /** Connects to 127.0.0.1:port sending SNI {@code sni} (none when null) and completes the handshake. */
    static JdkTlsClient connect(int port, String sni, String... alpn) throws IOException, GeneralSecurityException {
        // A fresh context per connection: no session resumption can hide which certificate the server picks now.
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
            return new JdkTlsClient(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** The chain the server presented, leaf first. */
    List<X509Certificate> peerChain() throws IOException {
        Certificate[] chain = socket.getSession().getPeerCertificates();
        return Arrays.stream(chain).map(X509Certificate.class::cast).toList();
    }

    X509Certificate peerLeaf() throws IOException {
        return peerChain().get(0);
    }

    String protocol() {
        return socket.getSession().getProtocol();
    }

    String applicationProtocol() {
        return socket.getApplicationProtocol();
    }

    /** Writes {@code text} and reads the same number of bytes back from the echo server. */
    String echo(String text) throws IOException {
        byte[] sent = text.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(sent);
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        byte[] received = new byte[sent.length];
        int read = 0;
        while (read < received.length) {
            int n = in.read(received, read, received.length - read);
            if (n < 0) {
                throw new IOException("connection closed after " + read + " bytes");
            }
            read += n;
        }
        return new String(received, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
