package dev.usher.deploy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** One persistent HTTP/1.1 connection sending requests with any Host header; fails if the server closes it. */
final class KeepAliveClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;

    KeepAliveClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = new BufferedInputStream(socket.getInputStream());
    }

    /** Sends one GET and reads its response; the body is framed by Content-Length. */
    RawHttp.Response get(String host, String target) throws IOException {
        return get(socket.getOutputStream(), in, host, target);
    }

    /** One keep-alive GET over any byte streams (plain or TLS), its response framed by Content-Length. */
    static RawHttp.Response get(OutputStream out, InputStream in, String host, String target) throws IOException {
        String request = "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String head = readHead(in);
        int length = -1;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(
                        line.substring("content-length:".length()).trim());
            }
        }
        if (length < 0) {
            throw new IOException("response without Content-Length: " + head);
        }
        byte[] body = in.readNBytes(length);
        if (body.length != length) {
            throw new IOException("connection closed mid-body");
        }
        return new RawHttp.Response(
                Integer.parseInt(head.substring(9, 12)), head, new String(body, StandardCharsets.UTF_8));
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed by the server after: " + head);
            }
            head.write(b);
            matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : 0;
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        return text.substring(0, text.length() - 4);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
