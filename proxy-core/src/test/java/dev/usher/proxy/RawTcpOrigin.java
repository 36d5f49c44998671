package dev.usher.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * A plain TCP origin for one connection: reads until the client half-closes (FIN), then answers
 * {@code "got <n> bytes"} and closes, so a test sees both the bytes that arrived and the half-close passed on.
 */
final class RawTcpOrigin implements AutoCloseable {

    /** Every byte the connection carried before its FIN. */
    final CompletableFuture<byte[]> received = new CompletableFuture<>();

    private final ServerSocket server;
    private final Thread thread;

    RawTcpOrigin() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        thread = new Thread(this::serve, "raw-tcp-origin");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void serve() {
        try (Socket socket = server.accept()) {
            socket.setSoTimeout(20_000);
            InputStream in = socket.getInputStream();
            byte[] all = in.readAllBytes(); // returns at the FIN
            received.complete(all);
            OutputStream out = socket.getOutputStream();
            out.write(("got " + all.length + " bytes").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            received.completeExceptionally(e);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
