package dev.usher.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** One HTTP/1.1 request over a plain socket, so a test can send any Host header (the JDK client forbids it). */
final class RawHttp {

    record Response(int status, String head, String body) {
    }

    private RawHttp() {
    }

    static Response get(int port, String host, String target) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return exchange(socket, host, target);
        }
    }

    /** The same over TLS with {@code host} as SNI, trusting any certificate (the default one is self-signed). */
    static Response getTls(int port, String host, String target) throws IOException, GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new TrustAll()}, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(host)));
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return exchange(socket, host, target);
        }
    }

    private static Response exchange(Socket socket, String host, String target) throws IOException {
        socket.setSoTimeout(10_000);
        String request = "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        int end = all.indexOf("\r\n\r\n");
        if (!all.startsWith("HTTP/1.1 ") || end < 0) {
            throw new IOException("not an HTTP response: '" + all + "'");
        }
        return new Response(Integer.parseInt(all.substring(9, 12)), all.substring(0, end), all.substring(end + 4));
    }

    /** Accepts any server certificate: the test checks routing over TLS, not the default certificate's trust. */
    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
