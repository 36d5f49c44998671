package dev.usher.deploy;

import dev.usher.tls.JdkTlsClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/** One HTTP/1.1 request over a plain socket, so a test can send any Host header (the JDK client forbids it). */
final class RawHttp {

    record Response(int status, String head, String body) {}

    private RawHttp() {}

    static Response get(int port, String host, String target) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            return exchange(socket.getOutputStream(), socket.getInputStream(), host, target);
        }
    }

    /**
     * The whole response, head and body as text, to a GET with {@code headers} (complete lines, each ending in CRLF)
     * after {@code Host}.
     */
    static String text(int port, String host, String target, String headers) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n" + headers
                                    + "Connection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The same over TLS with {@code host} as SNI, trusting any certificate (the default one is self-signed). */
    static Response getTls(int port, String host, String target) throws IOException, GeneralSecurityException {
        try (JdkTlsClient tls = JdkTlsClient.connect(port, host)) {
            return exchange(tls.out(), tls.in(), host, target);
        }
    }

    private static Response exchange(OutputStream out, InputStream in, String host, String target) throws IOException {
        String request = "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        int end = all.indexOf("\r\n\r\n");
        if (!all.startsWith("HTTP/1.1 ") || end < 0) {
            throw new IOException("not an HTTP response: '" + all + "'");
        }
        return new Response(Integer.parseInt(all.substring(9, 12)), all.substring(0, end), all.substring(end + 4));
    }
}
