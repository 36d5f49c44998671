package dev.usher.deploy;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
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
        String request = "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        String head = readHead();
        int length = -1;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        if (length < 0) {
            throw new IOException("response without Content-Length: " + head);
        }
        byte[] body = in.readNBytes(length);
        if (body.length != length) {
            throw new IOException("connection closed mid-body");
        }
        return new RawHttp.Response(Integer.parseInt(head.substring(9, 12)), head,
                new String(body, StandardCharsets.UTF_8));
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        while (last4 != 0x0d0a0d0a) { // CR LF CR LF ends the head
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed by the server after: " + head);
            }
            head.write(b);
            last4 = (last4 << 8) | b;
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        return text.substring(0, text.length() - 4);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
