package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.BackendRef;
import dev.usher.routing.Endpoint;
import dev.usher.routing.HostRule;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.PathRule;
import dev.usher.routing.PathType;
import dev.usher.routing.PortRef;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.RoutingSnapshot;
import dev.usher.routing.RoutingTable;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A bounded, seeded mutation fuzzer against the client side of a real {@link ProxyServer} on loopback.
 *
 * <p>Valid requests (plain, Content-Length and chunked bodies carrying a would-be smuggled request, absolute-form,
 * HTTP/1.0, pipelined, upgrade) are mutated: bytes flipped, CR/LF/NUL/space injected, ranges deleted or duplicated,
 * hostile header lines (double framing, {@code Connection} naming framing fields, huge lengths, bad chunk sizes)
 * inserted. Each input is written on a fresh connection, whose output is then shut down. Asserted for every input: a
 * response or a close within a bounded wait, never a hang; behind the proxy, a strict origin never parses a request
 * that Usher did not prepare (no {@code X-Real-IP}: bytes of a body read as a request) nor one with two framings or
 * any coding but {@code chunked}. Over the run: no stack trace logged (leaks fail the build through the paranoid
 * detector). Replay with {@code -Dusher.fuzz.seed=N}; {@code -Dusher.fuzz.inputs=N} runs more.
 */
final class ClientPipelineFuzzTest {

    private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: app.test\r\n\r\n";
    private static final String H = "Host: app.test\r\n";

    private static final List<String> SEEDS = List.of(
            "GET /fuzz HTTP/1.1\r\n" + H + "\r\n",
            "POST /fuzz HTTP/1.1\r\n" + H + "Content-Length: " + SMUGGLED.length() + "\r\n\r\n" + SMUGGLED,
            "POST /fuzz HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(SMUGGLED.length()) + "\r\n" + SMUGGLED + "\r\n0\r\n\r\n",
            "GET http://app.test/fuzz?x=1 HTTP/1.1\r\nHost: other.test\r\n\r\n",
            "GET /fuzz HTTP/1.0\r\n" + H + "Connection: keep-alive\r\n\r\n",
            "GET /fuzz HTTP/1.1\r\n" + H + "\r\nGET /fuzz/2 HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n",
            "GET /fuzz HTTP/1.1\r\n" + H + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
            "PUT /fuzz HTTP/1.1\r\n" + H + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\nhello");

    private static final List<String> TOKENS = List.of(
            "\r\n",
            "\n",
            "\r",
            "\0",
            " ",
            "\t",
            ":",
            ",",
            ";",
            "chunked",
            "Transfer-Encoding: chunked\r\n",
            "Content-Length: 5\r\n",
            "Content-Length: 99999999999999999999\r\n",
            "Connection: Content-Length\r\n",
            "Connection: Host, Transfer-Encoding\r\n",
            "Host: evil.test\r\n",
            "Upgrade: h2c\r\nConnection: Upgrade\r\n",
            "X_Under: 1\r\n",
            "ffffffffffffffff\r\n",
            "zz\r\n",
            "0\r\n\r\n",
            "HTTP/1.1",
            "HTTP/2.0",
            "%00",
            "\u00e9\u00ff",
            "Transfer-Encoding: gzip, chunked\r\n",
            "Content-Length: -1\r\n",
            "Transfer-Encoding:\tchunked\r\n",
            "Transfer-Encoding : chunked\r\n",
            "Content-Length: 0\r\n",
            "\r\n\r\n",
            "Host: a:junk@evil\r\n",
            "\u001b[2J",
            "@",
            "[::1]",
            "/../..");

    private static final List<String> HEADER_LINES = List.of(
            "Connection: Content-Length",
            "Connection: keep-alive, Transfer-Encoding",
            "Connection: Host",
            "Transfer-Encoding: chunked",
            "Content-Length: 5",
            "Transfer-Encoding: gzip, chunked",
            "Host: evil.test",
            "Upgrade: h2c\r\nConnection: Upgrade",
            "X_Under: 1",
            "Content-Length: 99999999999999999999",
            "Expect: 100-continue",
            "Connection: close");

    private static final List<String> CHUNK_SIZES =
            List.of("zz", "-1", "0x2b", "2b;ext=1", "2B ", "ffffffffffffffffff", "2b\0", "", "0", "1");

    @Test
    void mutatedRequests_alwaysGetAResponseOrAClose_andTheOriginNeverSeesAnUnpreparedOrDoublyFramedRequest()
            throws Exception {
        long seed = Long.getLong("usher.fuzz.seed", ThreadLocalRandom.current().nextLong());
        int inputs = Integer.getInteger("usher.fuzz.inputs", 300);
        long budget = TimeUnit.SECONDS.toNanos(Long.getLong("usher.fuzz.seconds", 5));
        Random random = new Random(seed);
        try (StderrCapture err = new StderrCapture();
                StrictOrigin origin = new StrictOrigin();
                ProxyServer proxy = proxy(origin)) {
            long start = System.nanoTime();
            int run = 0;
            for (; run < inputs && System.nanoTime() - start < budget; run++) {
                byte[] input = mutate(random);
                String answer = send(proxy.httpPort(), input, random);
                String replay =
                        "seed " + seed + " (-Dusher.fuzz.seed=" + seed + "), input #" + run + ": " + printable(input);
                assertThat(answer).as(replay).doesNotContain("<<timeout>>");
                assertThat(answer.isEmpty() || answer.startsWith("HTTP/1.1 "))
                        .as(replay + " answered " + answer)
                        .isTrue();
                assertThat(origin.violations).as(replay).isEmpty();
            }
            System.out.println("fuzz: " + run + " inputs, seed " + seed);
            assertThat(run).as("seed " + seed).isPositive();
            assertThat(err.hasStackTrace())
                    .as("seed " + seed + ": a stack trace was logged:\n" + err.text())
                    .isFalse();
        }
    }

    private static byte[] mutate(Random random) {
        StringBuilder s = new StringBuilder(SEEDS.get(random.nextInt(SEEDS.size())));
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations && s.length() > 0; m++) {
            int at = random.nextInt(s.length() + 1);
            int lineStart = s.indexOf("\r\n") + 2; // where a header line goes; 1 when there is no CRLF
            switch (random.nextInt(9)) {
                case 6, 8 -> s.insert(lineStart, HEADER_LINES.get(random.nextInt(HEADER_LINES.size())) + "\r\n");
                case 7 -> { // the chunk size of a chunked seed, or any hex-looking length, replaced
                    int body = s.indexOf("\r\n\r\n");
                    int end = body < 0 ? -1 : s.indexOf("\r\n", body + 4);
                    if (end > body + 4) {
                        s.replace(body + 4, end, CHUNK_SIZES.get(random.nextInt(CHUNK_SIZES.size())));
                    }
                }
                case 0 -> s.setCharAt(Math.min(at, s.length() - 1), (char) random.nextInt(256));
                case 1, 2 -> s.insert(at, TOKENS.get(random.nextInt(TOKENS.size())));
                case 3 -> s.delete(at, Math.min(s.length(), at + 1 + random.nextInt(8)));
                case 4 -> {
                    int end = Math.min(s.length(), at + 1 + random.nextInt(40));
                    s.insert(end, s.substring(Math.min(at, end), end));
                }
                default -> s.setLength(at);
            }
        }
        return s.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Writes the input in one to three pieces, shuts the output, reads until the proxy closes (bounded). */
    private static String send(int port, byte[] input, Random random) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            int cut = input.length == 0 ? 0 : random.nextInt(input.length);
            out.write(input, 0, cut);
            out.flush();
            out.write(input, cut, input.length - cut);
            out.flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            try {
                int n;
                while ((n = in.read(chunk)) >= 0) {
                    buf.write(chunk, 0, n);
                }
            } catch (SocketTimeoutException e) {
                return buf.toString(StandardCharsets.ISO_8859_1) + "<<timeout>>";
            } catch (IOException e) {
                // a reset after the proxy closed: a close
            }
            return buf.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static String printable(byte[] input) {
        StringBuilder sb = new StringBuilder();
        for (byte b : input) {
            int c = b & 0xff;
            sb.append(c >= 0x20 && c < 0x7f && c != '\\' ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return sb.toString();
    }

    private static ProxyServer proxy(StrictOrigin origin) {
        BackendRef app = new BackendRef("default", "app", PortRef.number(80));
        RoutingTable table = new RoutingTable();
        table.updateEndpoints(app, List.of(new Endpoint("127.0.0.1", origin.port(), "pod-0")));
        table.publish(RoutingSnapshot.builder()
                .add(new IngressRuleSet(
                        "default",
                        "fuzz",
                        Instant.EPOCH,
                        List.of(new HostRule(null, List.of(new PathRule("/", PathType.PREFIX, app)))),
                        null,
                        RouteOptions.DEFAULT))
                .build(table::backend));
        ProxyServer proxy = ProxyServer.builder()
                .routingTable(table)
                .bindAddress("127.0.0.1")
                .httpPort(0)
                .eventLoops(2)
                .settings(ProxySettings.builder()
                        .accessLog(ProxySettings.AccessLogFormat.OFF)
                        .build())
                .build();
        proxy.start();
        return proxy;
    }

    /** An origin with Usher's own strict decoder that records every request Usher could not have meant to send. */
    private static final class StrictOrigin implements AutoCloseable {

        final Queue<String> violations = new ConcurrentLinkedQueue<>();
        private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        private final Channel server;

        StrictOrigin() {
            server = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast(
                                            new HttpRequestDecoder(new HttpDecoderConfig()
                                                    .setAllowDuplicateContentLengths(false)
                                                    .setStrictLineParsing(true)),
                                            new HttpResponseEncoder(),
                                            new Recorder());
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0))
                    .syncUninterruptibly()
                    .channel();
        }

        int port() {
            return ((InetSocketAddress) server.localAddress()).getPort();
        }

        @Override
        public void close() {
            server.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }

        private final class Recorder extends SimpleChannelInboundHandler<HttpObject> {
            private boolean head;

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close(); // Usher resets origin connections of exchanges it gave up: not this test's subject
            }

            @Override
            protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                if (msg.decoderResult().isFailure()) {
                    violations.add("origin could not parse what Usher sent: "
                            + msg.decoderResult().cause());
                    ctx.close();
                    return;
                }
                if (msg instanceof HttpRequest r) {
                    head = r.method().equals(HttpMethod.HEAD);
                    HttpHeaders h = r.headers();
                    String line = r.method() + " " + r.uri() + " " + h;
                    if (!h.contains("x-real-ip")) {
                        violations.add("a request Usher did not prepare (smuggled): " + line);
                    }
                    if (h.contains(HttpHeaderNames.CONTENT_LENGTH) && h.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
                        violations.add("two framings: " + line);
                    }
                    List<String> te = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
                    if (!te.isEmpty() && !te.equals(List.of("chunked"))) {
                        violations.add("a coding other than chunked: " + line);
                    }
                    if (h.getAll(HttpHeaderNames.CONTENT_LENGTH).size() > 1
                            || h.getAll(HttpHeaderNames.HOST).size() != 1) {
                        violations.add("repeated Content-Length or not one Host: " + line);
                    }
                }
                if (msg instanceof LastHttpContent) {
                    FullHttpResponse res = new DefaultFullHttpResponse(
                            HttpVersion.HTTP_1_1,
                            HttpResponseStatus.OK,
                            head ? Unpooled.EMPTY_BUFFER : Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII));
                    res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 2);
                    ctx.writeAndFlush(res);
                }
            }
        }
    }
}
