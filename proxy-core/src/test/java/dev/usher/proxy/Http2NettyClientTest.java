package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Netty's own HTTP/2 client ({@code Http2FrameCodec} + {@code Http2MultiplexHandler}, one child channel per stream)
 * over h2c with prior knowledge: many concurrent streams on one connection, each uploading 1 MiB and downloading
 * 10 MiB, both directions checked byte for byte. Flow control on both sides is Netty's: the client's stream window
 * is its default 64 KiB, so every download moves in many window updates, and the upload waits for Usher's.
 */
final class Http2NettyClientTest {

    private static final int STREAMS = 10;
    private static final int UPLOAD = 1 << 20;
    private static final int DOWNLOAD = 10 << 20;
    private static final int FRAME = 16 * 1024;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private ProxyFixture fixture;

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void manyStreams_eachUploadingOneMiB_andDownloadingTenMiB_arriveIntact() throws Exception {
        exchange("stream.test", STREAMS, DOWNLOAD);
    }

    /**
     * More buffered uploads at once than the connection window (1 MiB) holds first DATA frames of (16 KiB each): every
     * body spills to a file after its first 16 KiB, and every stream must still get its window back.
     */
    @Test
    void aConnectionWindowOfBufferedUploads_allComplete() throws Exception {
        exchange("app.test", 100, 1024);
    }

    private void exchange(String host, int streams, int download) throws Exception {
        fixture = new ProxyFixture(
                1, ProxySettings.builder().maxRequestBodyBytes(4 * UPLOAD).build());
        Channel connection = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(
                                        Http2FrameCodecBuilder.forClient().build(),
                                        new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                })
                .connect("127.0.0.1", fixture.proxy.httpPort())
                .sync()
                .channel();
        List<Exchange> exchanges = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            byte[] upload = new byte[UPLOAD];
            new Random(i).nextBytes(upload);
            Exchange exchange = new Exchange(host, upload, download);
            exchanges.add(exchange);
            exchange.start(connection);
        }

        for (Exchange exchange : exchanges) {
            exchange.done.get(30, TimeUnit.SECONDS);
            assertThat(exchange.status).isEqualTo("200");
            assertThat(exchange.requestBody).as("what the origin received").isEqualTo(exchange.expectedRequestBody);
            assertThat(exchange.firstWrongByte)
                    .as("first wrong byte of the download")
                    .isEqualTo(-1);
            assertThat(exchange.downloaded).isEqualTo(download);
        }
        assertThat(fixture.origins.get(0).requests.get()).isEqualTo(streams);
        connection.close().sync();
    }

    /** One stream: the POST with its body in 16 KiB DATA frames, and what came back, checked as it arrives. */
    private static final class Exchange extends ChannelInboundHandlerAdapter {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final String expectedRequestBody;
        private final String host;
        private final byte[] upload;
        private final int download;
        String status;
        String requestBody;
        long downloaded;
        long firstWrongByte = -1;

        Exchange(String host, byte[] upload, int download) {
            this.host = host;
            this.upload = upload;
            this.download = download;
            CRC32 crc = new CRC32();
            crc.update(upload);
            this.expectedRequestBody = upload.length + " " + Long.toHexString(crc.getValue());
        }

        void start(Channel connection) throws InterruptedException {
            Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection)
                    .handler(this)
                    .open()
                    .sync()
                    .getNow();
            Http2Headers head = new DefaultHttp2Headers()
                    .method("POST")
                    .scheme("http")
                    .authority(host)
                    .path("/pattern?bytes=" + download);
            stream.write(new DefaultHttp2HeadersFrame(head, false));
            for (int at = 0; at < upload.length; at += FRAME) {
                int n = Math.min(FRAME, upload.length - at);
                stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(upload, at, n), at + n == upload.length));
            }
            stream.flush();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame headers) {
                    if (status == null) {
                        status = String.valueOf(headers.headers().status());
                        CharSequence received = headers.headers().get("x-request-body");
                        requestBody = received == null ? null : received.toString();
                    }
                    if (headers.isEndStream()) {
                        done.complete(null);
                    }
                } else if (msg instanceof Http2DataFrame data) {
                    // One bulk copy per frame: under paranoid leak detection every access to the buffer records a
                    // stack trace, and a per-byte check would make the client, not the proxy, the bottleneck.
                    ByteBuf content = data.content();
                    byte[] bytes = new byte[content.readableBytes()];
                    content.getBytes(content.readerIndex(), bytes);
                    for (byte b : bytes) {
                        if (firstWrongByte < 0 && b != TestOrigin.patternByte((int) downloaded)) {
                            firstWrongByte = downloaded;
                        }
                        downloaded++;
                    }
                    if (data.isEndStream()) {
                        done.complete(null);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.completeExceptionally(new ClosedChannelException()); // a no-op once complete
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
        }
    }
}
