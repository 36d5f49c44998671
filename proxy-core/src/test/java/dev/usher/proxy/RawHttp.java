package dev.usher.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** A raw client socket to send hand-written (or malformed) HTTP and read what comes back. */
final class RawHttp implements AutoCloseable {

    final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawHttp(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    RawHttp send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    /** Reads until the peer closes the connection (or the timeout): everything it sent. */
    String readUntilClose() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        try {
            int n;
            while ((n = in.read(chunk)) >= 0) {
                buf.write(chunk, 0, n);
            }
        } catch (SocketTimeoutException e) {
            buf.write("<<timeout>>".getBytes(StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            buf.write("<<reset>>".getBytes(StandardCharsets.ISO_8859_1));
        }
        return buf.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads one response (head plus Content-Length body, or chunked body), leaving the connection open. */
    String readResponse() throws IOException {
        return readResponse(false);
    }

    /** Reads a response that has no body whatever its head says (the answer to HEAD). */
    String readHeadResponse() throws IOException {
        return readResponse(true);
    }

    /** Reads exactly {@code n} bytes (or fewer, if the peer closes first). */
    String readBytes(int n) throws IOException {
        return new String(in.readNBytes(n), StandardCharsets.ISO_8859_1);
    }

    private String readResponse(boolean bodyless) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return head.length() == 0 ? "<<closed>>" : head + "<<closed>>";
            }
            head.append((char) b);
        }
        String h = head.toString();
        String lower = h.toLowerCase(Locale.ROOT);
        int cl = lower.indexOf("content-length:");
        StringBuilder body = new StringBuilder();
        if (bodyless || h.startsWith("HTTP/1.1 1") || h.startsWith("HTTP/1.1 204") || h.startsWith("HTTP/1.1 304")) {
            return h;
        }
        if (cl >= 0) {
            int end = lower.indexOf("\r\n", cl);
            int len = Integer.parseInt(h.substring(cl + 15, end).trim());
            for (int i = 0; i < len; i++) {
                body.append((char) in.read());
            }
        } else if (lower.contains("transfer-encoding: chunked")) {
            while (true) {
                String sizeLine = line();
                int size = Integer.parseInt(sizeLine.trim(), 16);
                if (size == 0) {
                    line();
                    break;
                }
                for (int i = 0; i < size; i++) {
                    body.append((char) in.read());
                }
                line();
            }
        }
        return h + body;
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            sb.append((char) b);
        }
        return sb.toString().trim();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
