package dev.usher.benchmarks.load;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A tiny blocking HTTP/1.1 keep-alive client for the churn probe: one request at a time, bodies framed by
 * {@code Content-Length} (what Usher's own replies and the echo origin send), reconnecting when the server closes.
 * Not thread-safe; one probe thread owns it.
 */
final class ProbeClient implements AutoCloseable {

    private final InetSocketAddress address;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    ProbeClient(InetSocketAddress address) {
        this.address = address;
    }

    /** Sends {@code GET path} with the given Host and returns the status code; drains the body. */
    int get(String host, String path) throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(5000);
            socket.connect(address, 2000);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }
        try {
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: usher-bench-probe\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String statusLine = line();
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP/1.x status line: " + statusLine);
            }
            int status = Integer.parseInt(parts[1]);
            long length = 0;
            boolean close = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                String lower = header.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(
                            lower.substring("content-length:".length()).trim());
                } else if (lower.startsWith("connection:") && lower.contains("close")) {
                    close = true;
                } else if (lower.startsWith("transfer-encoding:")) {
                    throw new IOException("the probe does not read chunked replies");
                }
            }
            for (long i = 0; i < length; i++) {
                if (in.read() < 0) {
                    throw new EOFException("reply body ended early");
                }
            }
            if (close) {
                close();
            }
            return status;
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("connection closed mid-reply");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }
}
