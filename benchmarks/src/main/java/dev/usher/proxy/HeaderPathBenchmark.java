package dev.usher.proxy;

import dev.usher.routing.BackendRef;
import dev.usher.routing.HeaderEdit;
import dev.usher.routing.HostRule;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.NginxTemplate;
import dev.usher.routing.PathRule;
import dev.usher.routing.PathType;
import dev.usher.routing.PortRef;
import dev.usher.routing.Route;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.RoutingSnapshot;
import dev.usher.routing.RoutingTable;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Ticker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The header work of one proxied request, as the data plane does it, against Netty's decode and encode alone: the
 * request head as a browser sends it decoded by {@link RequestDecoder}, rewritten by {@link RequestHeads#prepare}
 * (hop-by-hop fields, forwarding fields, {@code X-Request-ID}, the route's edits) and encoded for the origin; the
 * origin's response head decoded by {@link OriginResponseDecoder}, rewritten by {@link ResponseHeads#prepare} and the
 * route's {@link ResponseEdits}, and encoded by {@link ResponseEncoder} for the client. {@code edits=snippet} gives
 * the route a typical ingress-nginx header snippet (security headers, a cleared field, {@code $req_id} back to the
 * client, a field for the origin from the client's {@code Origin}); {@code none} has none. {@code nettyRequest} and
 * {@code nettyResponse} decode and re-encode the same bytes with Netty's plain codecs: what any Netty proxy pays.
 *
 * <p>In package {@code dev.usher.proxy} (with {@link HeaderFloodBenchmark}) to reach the package-private classes it
 * measures; on the class path the package is split between the two jars, which Java allows outside modules.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HeaderPathBenchmark {

    private static final String REQUEST = String.join(
            "\r\n",
            "GET /api/orders?id=42 HTTP/1.1",
            "Host: app.example.com",
            "Connection: keep-alive",
            "sec-ch-ua: \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"",
            "sec-ch-ua-mobile: ?0",
            "sec-ch-ua-platform: \"Linux\"",
            "Upgrade-Insecure-Requests: 1",
            "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0"
                    + " Safari/537.36",
            "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
            "Origin: https://app.example.com",
            "Sec-Fetch-Site: same-origin",
            "Sec-Fetch-Mode: navigate",
            "Sec-Fetch-Dest: document",
            "Accept-Encoding: gzip, deflate, br, zstd",
            "Accept-Language: en-GB,en;q=0.9",
            "Cookie: session=3f2a9c1b7d; theme=dark",
            "",
            "");

    private static final String RESPONSE = String.join(
                    "\r\n",
                    "HTTP/1.1 200 OK",
                    "Content-Type: text/html; charset=utf-8",
                    "Content-Length: 100",
                    "Date: Mon, 07 Dec 2026 05:00:00 GMT",
                    "Cache-Control: no-cache",
                    "Set-Cookie: sid=9a8b7c; Path=/; HttpOnly; SameSite=Lax",
                    "X-Powered-By: Express",
                    "ETag: W/\"64-1f3c\"",
                    "Connection: keep-alive",
                    "Keep-Alive: timeout=5",
                    "",
                    "")
            + "x".repeat(100);

    private static final BackendRef APP = new BackendRef("default", "app", PortRef.number(80));

    /** {@code none}: a route without header edits; {@code snippet}: a typical ingress-nginx header snippet. */
    @Param({"none", "snippet"})
    String edits;

    ByteBuf requestBytes; // package-private: HeaderPathBenchmarkTest checks they are released
    ByteBuf responseBytes;
    private EmbeddedChannel requestDecoder;
    private EmbeddedChannel requestEncoder;
    private EmbeddedChannel responseDecoder;
    private EmbeddedChannel responseEncoder;
    private EmbeddedChannel nettyRequestDecoder;
    private EmbeddedChannel nettyResponseDecoder;
    private EmbeddedChannel nettyResponseEncoder;
    private EmbeddedChannel client;
    private BodySpool spool;
    private ProxyContext context;
    private ClientConnection conn;
    private Route route;
    private HttpRequest sentRequest;
    private Requests.Target sentTarget;
    private RequestRecord sentRecord;

    @Setup
    public void setUp() throws Exception {
        // each operation decodes a retained duplicate, which the decoder releases; tearDown releases these
        requestBytes = Unpooled.directBuffer().writeBytes(REQUEST.getBytes(StandardCharsets.US_ASCII));
        responseBytes = Unpooled.directBuffer().writeBytes(RESPONSE.getBytes(StandardCharsets.US_ASCII));
        ProxySettings settings = ProxySettings.defaults();
        RouteOptions options = edits.equals("snippet")
                ? RouteOptions.builder()
                        .headerEdits(List.of(
                                new HeaderEdit("x-frame-options", "DENY", HeaderEdit.Mode.SET),
                                new HeaderEdit("strict-transport-security", "max-age=31536000", HeaderEdit.Mode.ADD),
                                new HeaderEdit("x-powered-by", null, HeaderEdit.Mode.CLEAR),
                                expanding("x-request-id", "$req_id", HeaderEdit.Mode.SET)))
                        .requestHeaderEdits(List.of(
                                new HeaderEdit("x-tenant", "blue", HeaderEdit.Mode.SET),
                                expanding("x-client-origin", "$http_origin", HeaderEdit.Mode.SET)))
                        .build()
                : RouteOptions.DEFAULT;
        RoutingTable table = new RoutingTable();
        table.publish(RoutingSnapshot.builder()
                .add(new IngressRuleSet(
                        "default",
                        "app",
                        Instant.parse("2024-01-01T00:00:00Z"),
                        List.of(new HostRule("app.example.com", List.of(new PathRule("/", PathType.PREFIX, APP)))),
                        null,
                        options))
                .build(table::backend));
        route = Objects.requireNonNull(table.current().route("app.example.com", "/api/orders?id=42"));
        client = new EmbeddedChannel(new ChannelHandlerAdapter() {});
        ProxyMetrics metrics = new ProxyMetrics(new SimpleMeterRegistry(), List.of());
        AllocationGuard guard = new AllocationGuard(metrics);
        spool = new BodySpool(Files.createTempDirectory("usher-bench-spool"), 1, 1 << 20);
        context = new ProxyContext(
                table,
                settings,
                metrics,
                new AccessLog(settings.accessLog()),
                LoadBalancer.of(settings.loadBalancing()),
                java.util.Map.of(),
                new io.netty.channel.group.DefaultChannelGroup(client.eventLoop()),
                new ProxyContext.DrainFlag(),
                spool,
                guard,
                new RateLimiter(System::nanoTime),
                bound -> 0,
                new PasswordChecks(Runnable::run));
        conn = new ClientConnection(
                client.pipeline().firstContext(),
                null,
                false,
                TrustedProxies.none(),
                new ClientConnection.Peer("192.0.2.7", false, 80, "80"));
        RequestDecoder decoder = new RequestDecoder(settings);
        requestDecoder = new EmbeddedChannel(decoder, decoder.nextRequest()); // as ClientInitializer wires them
        requestEncoder = new EmbeddedChannel(new HttpRequestEncoder());
        responseDecoder = new EmbeddedChannel(new OriginResponseDecoder());
        responseEncoder = new EmbeddedChannel(new ResponseEncoder(guard));
        nettyRequestDecoder = new EmbeddedChannel(new HttpRequestDecoder());
        nettyResponseDecoder = new EmbeddedChannel(new HttpResponseDecoder());
        nettyResponseEncoder = new EmbeddedChannel(new HttpResponseEncoder());
        // the request the response benchmark answers, decoded and forwarded once
        sentRequest = decodeRequest(requestDecoder);
        ReferenceCountUtil.release(requestDecoder.readInbound()); // its (empty) last content
        sentTarget = Objects.requireNonNull(Requests.target(sentRequest));
        sentRecord = new RequestRecord(
                context, Ticker.systemTicker(), conn.clientAddress(sentRequest.headers()), sentRequest, "HTTP/1.1");
        RequestHeads.prepare(sentRequest, route, sentTarget, sentRecord, conn, settings);
        if (request() == 0 || response() == 0 || nettyRequest() == 0 || nettyResponse() == 0) {
            throw new IllegalStateException("a benchmark wrote nothing");
        }
    }

    private static HeaderEdit expanding(String name, String value, HeaderEdit.Mode mode) {
        return new HeaderEdit(name, value, mode, NginxTemplate.parse(value));
    }

    @TearDown
    public void tearDown() {
        for (EmbeddedChannel channel : List.of(
                requestDecoder,
                requestEncoder,
                responseDecoder,
                responseEncoder,
                nettyRequestDecoder,
                nettyResponseDecoder,
                nettyResponseEncoder,
                client)) {
            channel.finishAndReleaseAll();
        }
        spool.close();
        requestBytes.release();
        responseBytes.release();
    }

    /** A client's request head, decoded, rewritten for the origin and encoded: the bytes sent to the origin. */
    @Benchmark
    public long request() {
        HttpRequest request = decodeRequest(requestDecoder);
        Requests.Target target = Objects.requireNonNull(Requests.target(request));
        RequestRecord record = new RequestRecord(
                context, Ticker.systemTicker(), conn.clientAddress(request.headers()), request, "HTTP/1.1");
        RequestHeads.prepare(request, route, target, record, conn, context.settings());
        return encode(requestEncoder, request, requestDecoder.readInbound());
    }

    /** An origin's response head and 100-byte body, decoded, rewritten for the client and encoded. */
    @Benchmark
    public long response() {
        ResponseEdits responseEdits =
                ResponseEdits.of(context.settings().addHeaders(), route, sentRequest, sentTarget, conn, sentRecord);
        responseDecoder.writeInbound(responseBytes.retainedDuplicate());
        HttpResponse response = responseDecoder.readInbound();
        ResponseHeads.prepare(response, false, false, true);
        responseEdits.apply(response);
        return encode(responseEncoder, response, responseDecoder.readInbound());
    }

    /** The same request head through Netty's own decoder and encoder, unchanged. */
    @Benchmark
    public long nettyRequest() {
        return encode(requestEncoder, decodeRequest(nettyRequestDecoder), nettyRequestDecoder.readInbound());
    }

    /** The same response through Netty's own decoder and encoder, unchanged. */
    @Benchmark
    public long nettyResponse() {
        nettyResponseDecoder.writeInbound(responseBytes.retainedDuplicate());
        HttpResponse response = nettyResponseDecoder.readInbound();
        return encode(nettyResponseEncoder, response, nettyResponseDecoder.readInbound());
    }

    private HttpRequest decodeRequest(EmbeddedChannel decoder) {
        decoder.writeInbound(requestBytes.retainedDuplicate());
        return decoder.readInbound();
    }

    /** Writes the head and its last content, then reads and releases what the encoder made; its size. */
    private static long encode(EmbeddedChannel encoder, Object head, Object last) {
        encoder.writeOutbound(head, last);
        long bytes = 0;
        for (Object out; (out = encoder.readOutbound()) != null; ) {
            bytes += ((ByteBuf) out).readableBytes();
            ReferenceCountUtil.release(out);
        }
        return bytes;
    }
}
