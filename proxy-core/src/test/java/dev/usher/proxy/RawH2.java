package dev.usher.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;

/**
 * A hand-driven HTTP/2 client connection on a real socket for frame-level tests: writes frames exactly as told
 * (including ones a well-behaved client never sends) and reads the server's frames one by one. HPACK coding is
 * Netty's; everything else is bytes.
 */
final class RawH2 implements AutoCloseable {

    static final int DATA = 0;
    static final int HEADERS = 1;
    static final int RST_STREAM = 3;
    static final int SETTINGS = 4;
    static final int PING = 6;
    static final int GOAWAY = 7;
    static final int WINDOW_UPDATE = 8;
    static final int CONTINUATION = 9;
    static final int END_STREAM = 0x1;
    static final int END_HEADERS = 0x4;

    /** One frame from the server; {@code payload} is a copy. */
    record Frame(int type, int flags, int stream, byte[] payload) {
        boolean endStream() {
            return (flags & END_STREAM) != 0 && (type == DATA || type == HEADERS);
        }

        /** The error code of a RST_STREAM or GOAWAY frame. */
        long errorCode() {
            int at = type == GOAWAY ? 4 : 0;
            return ((payload[at] & 0xffL) << 24)
                    | ((payload[at + 1] & 0xff) << 16)
                    | ((payload[at + 2] & 0xff) << 8)
                    | (payload[at + 3] & 0xff);
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);

    RawH2(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(20_000);
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** Connects to {@code port} on loopback and sends the preface and an empty SETTINGS frame. */
    static RawH2 connect(int port) throws IOException {
        return connect(port, 0);
    }

    /**
     * As {@link #connect(int)}, with the socket's receive buffer set to {@code receiveBuffer} bytes before connecting
     * (0: the system's), for tests where this client stops reading and the server's writes must back up soon.
     */
    static RawH2 connect(int port, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5_000);
        RawH2 h2 = new RawH2(socket);
        ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
        byte[] bytes = new byte[preface.readableBytes()];
        preface.getBytes(0, bytes);
        preface.release();
        h2.out.write(bytes);
        h2.frame(SETTINGS, 0, 0, new byte[0]);
        return h2;
    }

    /** A GET-like request head for {@code host} and {@code path}; callers add fields. */
    static Http2Headers request(String method, String host, String path) {
        return new DefaultHttp2Headers(false)
                .method(method)
                .scheme("http")
                .authority(host)
                .path(path);
    }

    /** The HPACK block of {@code headers} (this connection's encoder state moves on). */
    byte[] block(int stream, Http2Headers headers) throws Http2Exception {
        ByteBuf buf = Unpooled.buffer();
        try {
            encoder.encodeHeaders(stream, headers, buf);
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    void headers(int stream, Http2Headers headers, boolean endStream) throws IOException, Http2Exception {
        frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), stream, block(stream, headers));
    }

    void data(int stream, byte[] bytes, boolean endStream) throws IOException {
        frame(DATA, endStream ? END_STREAM : 0, stream, bytes);
    }

    void rst(int stream, int code) throws IOException {
        frame(RST_STREAM, 0, stream, int32(code));
    }

    void windowUpdate(int stream, int increment) throws IOException {
        frame(WINDOW_UPDATE, 0, stream, int32(increment));
    }

    /** Writes one frame (and flushes). */
    void frame(int type, int flags, int stream, byte[] payload) throws IOException {
        out.write(frameBytes(type, flags, stream, payload));
        out.flush();
    }

    /** One frame's bytes, for tests that write many at once. */
    static byte[] frameBytes(int type, int flags, int stream, byte[] payload) {
        byte[] f = new byte[9 + payload.length];
        f[0] = (byte) (payload.length >>> 16);
        f[1] = (byte) (payload.length >>> 8);
        f[2] = (byte) payload.length;
        f[3] = (byte) type;
        f[4] = (byte) flags;
        f[5] = (byte) (stream >>> 24 & 0x7f);
        f[6] = (byte) (stream >>> 16);
        f[7] = (byte) (stream >>> 8);
        f[8] = (byte) stream;
        System.arraycopy(payload, 0, f, 9, payload.length);
        return f;
    }

    void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    static byte[] int32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    /** The next frame, or {@code null} once the server closed the connection. */
    Frame read() throws IOException {
        byte[] head = new byte[9];
        try {
            in.readFully(head);
        } catch (EOFException | SocketException e) {
            return null;
        }
        int length = ((head[0] & 0xff) << 16) | ((head[1] & 0xff) << 8) | (head[2] & 0xff);
        int stream = ((head[5] & 0x7f) << 24) | ((head[6] & 0xff) << 16) | ((head[7] & 0xff) << 8) | (head[8] & 0xff);
        byte[] payload = new byte[length];
        try {
            in.readFully(payload);
        } catch (EOFException | SocketException e) {
            return null;
        }
        return new Frame(head[3], head[4] & 0xff, stream, payload);
    }

    /** Decodes a HEADERS frame's block (no padding or priority: Netty's server sends none). */
    Http2Headers decode(Frame frame) throws Http2Exception {
        ByteBuf buf = Unpooled.wrappedBuffer(frame.payload());
        try {
            return decoder.decodeHeaders(frame.stream(), buf);
        } finally {
            buf.release();
        }
    }

    /** Reads until a GOAWAY (returned) or the end of the connection ({@code null}). */
    Frame awaitGoAway() throws IOException {
        for (Frame f; (f = read()) != null; ) {
            if (f.type() == GOAWAY) {
                return f;
            }
        }
        return null;
    }

    /** Reads until the server closed the connection; returns whether a GOAWAY came first. */
    boolean awaitClose() throws IOException {
        boolean goAway = false;
        for (Frame f; (f = read()) != null; ) {
            goAway |= f.type() == GOAWAY;
        }
        return goAway;
    }

    /** What came back on one stream. */
    static final class Reply {
        Http2Headers head;
        Http2Headers trailers;
        final java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        long reset = -1;
        boolean ended;

        String status() {
            return head == null ? null : head.status().toString();
        }

        String text() {
            return body.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /**
     * Reads until every stream in {@code streams} ended or was reset (or the connection closed), giving the read
     * DATA bytes back as window updates so large bodies flow. Interim (1xx) heads are skipped.
     */
    java.util.Map<Integer, Reply> replies(java.util.Collection<Integer> streams) throws IOException, Http2Exception {
        java.util.Map<Integer, Reply> replies = new java.util.HashMap<>();
        for (int id : streams) {
            replies.put(id, new Reply());
        }
        int open = streams.size();
        while (open > 0) {
            Frame f = read();
            if (f == null) {
                break;
            }
            Reply r = replies.get(f.stream());
            if (f.type() == HEADERS) {
                Http2Headers h = decode(f); // every block, tracked or not: HPACK state is per connection
                if (r == null) {
                    continue;
                }
                if (r.head == null && h.status() != null && h.status().charAt(0) == '1') {
                    continue;
                }
                if (r.head == null) {
                    r.head = h;
                } else {
                    r.trailers = h;
                }
            } else if (f.type() == DATA && r != null) {
                r.body.write(f.payload());
                if (f.payload().length > 0) {
                    windowUpdate(0, f.payload().length);
                    if (!f.endStream()) {
                        windowUpdate(f.stream(), f.payload().length);
                    }
                }
            } else if (f.type() == RST_STREAM && r != null && !r.ended) {
                r.reset = f.errorCode();
                r.ended = true;
                open--;
                continue;
            } else if (f.type() == SETTINGS && (f.flags() & 1) == 0) {
                frame(SETTINGS, 1, 0, new byte[0]);
            }
            if (r != null && f.endStream() && !r.ended) {
                r.ended = true;
                open--;
            }
        }
        return replies;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
