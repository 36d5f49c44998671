package dev.usher.proxy;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * Wires an HTTP/2 client connection and its streams.
 *
 * <p>Connection: [TLS] → {@link AllocationGuard} → {@code FlushConsolidationHandler} → {@link H2FrameGuard} →
 * {@link H2ReadBatch} → {@code Http2FrameCodec} → {@code Http2MultiplexHandler} → {@link H2Connection}. The streams' flushes of one
 * event-loop turn leave as one socket write (and on TLS as few records), not one per stream.
 *
 * <p>Each stream is a child channel on the connection's event loop, auto-read off: {@link H2StreamCodec} (which also
 * hands on one message per {@code read()}, as {@link ReadGate} does on HTTP/1) → {@link
 * ClientHandler#forStream}: from the stream codec on, a stream looks like one HTTP/1.1 request to the same handler,
 * admission and exchange as on an HTTP/1 connection.
 *
 * <p>The codec's limits are the flood defences: at most {@link ProxySettings#http2MaxConcurrentStreams()} streams,
 * a header list of {@link ProxySettings#maxHeaderSize()} (a block past 1.25 times that ends the connection, however
 * many CONTINUATION frames carry it, and {@link H2FrameGuard} caps the frames), {@link #MAX_RESETS} client resets per {@link #RESET_WINDOW_SECONDS} s (rapid
 * reset, then {@code GOAWAY ENHANCE_YOUR_CALM}) and as many resets with an error code sent by Usher (MadeYouReset: a
 * client that provokes stream errors; {@link H2StreamCodec} resets with the error's code, which counts), {@link #MAX_QUEUED_CONTROL_FRAMES} unflushed control-frame answers
 * (SETTINGS and PING floods; {@link H2FrameGuard} ends such a flood sooner, once the client leaves the connection
 * unwritable) and {@link #MAX_EMPTY_DATA_FRAMES} empty DATA frames in a row.
 */
final class H2Pipeline {

    /**
     * Each stream's receive window. A stream's unread bytes wait in its child channel until the exchange reads them,
     * so this bounds what one stream buffers; the connection window bounds all of them together.
     */
    static final int STREAM_WINDOW = 256 * 1024;
    /** The connection's receive window: what all streams of one connection may buffer unread together. */
    static final int CONNECTION_WINDOW = 1024 * 1024;

    /** Flushes folded into one socket write at most (see {@link FlushConsolidationHandler}). */
    static final int FLUSHES_PER_WRITE = 64;

    static final int MAX_RESETS = 200;
    static final int RESET_WINDOW_SECONDS = 30;
    static final int MAX_QUEUED_CONTROL_FRAMES = 10_000;
    static final int MAX_EMPTY_DATA_FRAMES = 10;
    /**
     * How long a connection being closed (idle, or after a protocol error) waits for its GOAWAY to be written and open
     * streams to end; a flooding client that reads nothing holds the connection no longer than this.
     */
    static final long CLOSE_GRACE_MILLIS = 5_000;

    private H2Pipeline() {}

    /** Adds the HTTP/2 handlers at the end of {@code p}, whose HTTP/1 handlers are gone, and starts reading. */
    static void install(ChannelPipeline p, ProxyContext context, boolean tls, int httpsPort) {
        ProxySettings settings = context.settings();
        Http2Settings initial = Http2Settings.defaultSettings()
                .maxConcurrentStreams(settings.http2MaxConcurrentStreams())
                .maxHeaderListSize(settings.maxHeaderSize())
                .initialWindowSize(STREAM_WINDOW);
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(initial)
                .validateHeaders(true)
                .gracefulShutdownTimeoutMillis(CLOSE_GRACE_MILLIS)
                .decoderEnforceMaxRstFramesPerWindow(MAX_RESETS, RESET_WINDOW_SECONDS)
                .encoderEnforceMaxRstFramesPerWindow(MAX_RESETS, RESET_WINDOW_SECONDS)
                .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES)
                .decoderEnforceMaxConsecutiveEmptyDataFrames(MAX_EMPTY_DATA_FRAMES)
                .build();
        H2Connection connection = new H2Connection(settings, CONNECTION_WINDOW);
        H2ReadBatch batch = new H2ReadBatch();
        if (p.get(AllocationGuard.class) == null) {
            p.addLast(context.allocationGuard());
        }
        p.addLast(
                new FlushConsolidationHandler(FLUSHES_PER_WRITE, true),
                new H2FrameGuard(),
                batch,
                codec,
                new Http2MultiplexHandler(new Streams(
                        context,
                        tls,
                        httpsPort,
                        connection,
                        batch,
                        ClientConnection.Peer.of(p.channel(), settings.trustedProxies()))),
                connection);
        // Flow control windows, not read pauses, hold a client back on HTTP/2: the connection always reads.
        p.channel().config().setAutoRead(true);
    }

    /** Wires each stream's child channel. */
    private static final class Streams extends ChannelInitializer<Http2StreamChannel> {
        private final ProxyContext context;
        private final boolean tls;
        private final int httpsPort;
        private final H2Connection connection;
        private final H2ReadBatch batch;
        private final ClientConnection.Peer peer; // the connection's, shared by its streams

        Streams(
                ProxyContext context,
                boolean tls,
                int httpsPort,
                H2Connection connection,
                H2ReadBatch batch,
                ClientConnection.Peer peer) {
            this.batch = batch;
            this.peer = peer;
            this.context = context;
            this.tls = tls;
            this.httpsPort = httpsPort;
            this.connection = connection;
        }

        @Override
        protected void initChannel(Http2StreamChannel ch) {
            connection.streamOpened(ch);
            ch.config().setAutoRead(false); // the exchange reads the body as the origin takes it
            ch.config().setWriteBufferWaterMark(OriginPools.WATER_MARK);
            ch.pipeline()
                    .addLast(
                            new H2StreamCodec(batch),
                            ClientHandler.forStream(context, tls, httpsPort, peer, connection.clock()));
        }
    }
}
