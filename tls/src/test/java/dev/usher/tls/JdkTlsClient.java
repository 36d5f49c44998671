package dev.usher.tls;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;
import org.jspecify.annotations.Nullable;

/**
 * The tests' one JDK TLS client: it trusts every certificate, so a test can look at whichever one the server
 * presents (self-signed, default, rotated), and it sends any bytes over the connection. Shared with the other
 * modules' tests through this module's test-jar.
 */
public final class JdkTlsClient implements AutoCloseable {

    private final SSLSocket socket;
    private final InputStream in;

    private JdkTlsClient(SSLSocket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
    }

    /**
     * A fresh client context that trusts any server certificate. Fresh per connection: a resumed session could hide
     * which certificate the server picks now.
     */
    public static SSLContext trustAllContext() throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        return context;
    }

    /**
     * A fresh client context that trusts any server certificate and presents {@code certificate} (key and chain)
     * whenever the server asks for one, whichever CAs the request names (the JDK's own key managers would send nothing
     * for a foreign CA, and tests need a client that tries).
     */
    public static SSLContext clientCertificateContext(TlsCertificate certificate) throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(
                new KeyManager[] {new FixedKeyManager(certificate)},
                InsecureTrustManagerFactory.INSTANCE.getTrustManagers(),
                null);
        return context;
    }

    /** Offers one certificate to every request for a client certificate. */
    private static final class FixedKeyManager extends X509ExtendedKeyManager {
        private static final String ALIAS = "client";
        private final TlsCertificate certificate;

        FixedKeyManager(TlsCertificate certificate) {
            this.certificate = certificate;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String @Nullable [] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public @Nullable String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return certificate.chain().toArray(new X509Certificate[0]);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return certificate.key();
        }
    }

    /** As {@link #connect(int, String, String...)} with the client context {@code context}. */
    public static JdkTlsClient connect(int port, @Nullable String sni, SSLContext context)
            throws IOException, GeneralSecurityException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        return handshake(socket, sni);
    }

    /**
     * Connects to 127.0.0.1:port sending SNI {@code sni} (none when null), offering {@code alpn} if any, and
     * completes the handshake.
     */
    public static JdkTlsClient connect(int port, @Nullable String sni, String... alpn)
            throws IOException, GeneralSecurityException {
        SSLSocket socket = (SSLSocket) trustAllContext().getSocketFactory().createSocket("127.0.0.1", port);
        return handshake(socket, sni, alpn);
    }

    /** The same over an already-open socket (after a PROXY protocol header, say); closing the client closes it. */
    public static JdkTlsClient over(Socket plain, String sni) throws IOException, GeneralSecurityException {
        SSLSocket socket =
                (SSLSocket) trustAllContext().getSocketFactory().createSocket(plain, sni, plain.getPort(), true);
        return handshake(socket, sni);
    }

    private static JdkTlsClient handshake(SSLSocket socket, @Nullable String sni, String... alpn) throws IOException {
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
    public List<X509Certificate> peerChain() throws IOException {
        return Arrays.stream(socket.getSession().getPeerCertificates())
                .map(X509Certificate.class::cast)
                .toList();
    }

    public X509Certificate peerLeaf() throws IOException {
        return peerChain().get(0);
    }

    public String protocol() {
        return socket.getSession().getProtocol();
    }

    public @Nullable String applicationProtocol() {
        return socket.getApplicationProtocol();
    }

    /** What the server sends, buffered, for the whole connection (keep-alive clients read responses from it). */
    public InputStream in() {
        return in;
    }

    public OutputStream out() throws IOException {
        return socket.getOutputStream();
    }

    /** Writes {@code request} (ISO-8859-1) and reads everything until the server closes the connection. */
    public String sendAndReadToEnd(String request) throws IOException {
        out().write(request.getBytes(StandardCharsets.ISO_8859_1));
        out().flush();
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    /** Writes {@code text} and reads the same number of bytes back from the echo server. */
    public String echo(String text) throws IOException {
        byte[] sent = text.getBytes(StandardCharsets.UTF_8);
        out().write(sent);
        out().flush();
        byte[] received = in.readNBytes(sent.length);
        if (received.length < sent.length) {
            throw new IOException("connection closed after " + received.length + " bytes");
        }
        return new String(received, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
