package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.routing.Endpoint;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.RouteTimeouts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's {@code proxy-body-size} and {@code proxy-*-timeout} per Ingress, on real sockets: each route's
 * value replaces the global setting for that route only.
 */
final class LimitOptionsTest {

    @AutoClose
    private OptionsFixture fixture;

    private void start(ProxySettings settings) {
        fixture = new OptionsFixture(
                settings,
                Map.of(
                        "small.test",
                                RouteOptions.builder().maxRequestBodyBytes(10).build(),
                        "unlimited.test",
                                RouteOptions.builder().maxRequestBodyBytes(0).build(),
                        "global.test", RouteOptions.DEFAULT,
                        "quick.test",
                                RouteOptions.builder()
                                        .timeouts(new RouteTimeouts(null, Duration.ofMillis(200), null))
                                        .build(),
                        "send.test",
                                RouteOptions.builder()
                                        .requestBuffering(false)
                                        .maxRequestBodyBytes(0)
                                        .timeouts(new RouteTimeouts(null, null, Duration.ofMillis(300)))
                                        .build()));
    }

    @Test
    void bodySize_declaredLengthOverTheRoutesLimit_gets413_beforeTheOrigin() throws Exception {
        start(ProxySettings.builder().maxRequestBodyBytes(1 << 20).build());

        HttpResponse<String> over = fixture.post("small.test", "/count", new byte[11]);
        HttpResponse<String> at = fixture.post("small.test", "/count", new byte[10]);

        assertThat(over.statusCode()).isEqualTo(413);
        assertThat(at.statusCode()).isEqualTo(200);
        assertThat(at.body()).contains("10");
        assertThat(fixture.origin.requests.get()).isEqualTo(1);
    }

    @Test
    void bodySize_chunkedBodyCrossingTheRoutesLimit_gets413() throws Exception {
        start(ProxySettings.builder().build());
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("POST /count HTTP/1.1\r\nHost: small.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n");
            assertThat(raw.readUntilClose()).startsWith("HTTP/1.1 413 ");
        }
        assertThat(fixture.origin.requests.get()).isZero();
    }

    @Test
    void bodySize_zeroIsUnlimited_evenUnderASmallGlobalLimit() throws Exception {
        start(ProxySettings.builder().maxRequestBodyBytes(16).build());

        HttpResponse<String> unlimited = fixture.post("unlimited.test", "/count", new byte[100_000]);
        HttpResponse<String> global = fixture.post("global.test", "/count", new byte[17]);

        assertThat(unlimited.statusCode()).isEqualTo(200);
        assertThat(unlimited.body()).contains("100000");
        assertThat(global.statusCode()).isEqualTo(413);
    }

    @Test
    void readTimeout_ofTheRoute_answers504_whileOtherRoutesKeepTheGlobalTimeout() throws Exception {
        start(ProxySettings.builder().responseTimeout(Duration.ofSeconds(60)).build());

        HttpResponse<String> quick = fixture.get("quick.test", "/held");

        assertThat(quick.statusCode()).isEqualTo(504);
        var pending = fixture.client.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fixture.proxy.httpPort() + "/held"))
                        .header("Host", "global.test")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.origin.held.get() == 2);
        assertThat(pending).isNotDone(); // the global 60 s still holds for this route
        fixture.origin.releaseHeld();
        assertThat(pending.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void sendTimeout_ofTheRoute_answers504_whenTheOriginStopsTakingTheBody() throws Exception {
        start(ProxySettings.builder().responseTimeout(Duration.ofSeconds(60)).build());
        try (ServerSocket deaf = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
                RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            fixture.table.updateEndpoints(
                    OptionsFixture.APP, List.of(new Endpoint("127.0.0.1", deaf.getLocalPort(), "deaf")));
            long size = 256L << 20; // far more than the socket buffers hold
            Thread writer = new Thread(() -> {
                try {
                    raw.send("POST / HTTP/1.1\r\nHost: send.test\r\nContent-Length: " + size + "\r\n\r\n");
                    byte[] chunk = new byte[64 * 1024];
                    for (long sent = 0; sent < size; sent += chunk.length) {
                        raw.socket.getOutputStream().write(chunk);
                    }
                } catch (IOException expected) {
                    // the proxy gives up and closes
                }
            });
            writer.setDaemon(true);
            writer.start();
            try (Socket accepted = deaf.accept()) { // accepted, never read
                assertThat(accepted.isConnected()).isTrue();
                assertThat(raw.readResponse()).startsWith("HTTP/1.1 504").contains("stopped reading");
            }
        }
    }

    @Test
    void connectTimeout_ofTheRoute_isTheNewConnectionsOption() throws Exception {
        start(ProxySettings.builder().build());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            EventLoop loop = group.next();
            ProxyMetrics metrics = new ProxyMetrics(new SimpleMeterRegistry(), List.of());
            OriginPool pool = new OriginPool(
                    new Endpoint("127.0.0.1", fixture.origin.port(), "pod-0"),
                    loop,
                    new Bootstrap()
                            .group(loop)
                            .channel(NioSocketChannel.class)
                            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                            .option(ChannelOption.AUTO_READ, false)
                            .handler(new OriginInitializer(new AllocationGuard(metrics))),
                    ProxySettings.defaults(),
                    metrics,
                    empty -> {});

            Channel own = loop.submit(() -> pool.acquire(false, Duration.ofMillis(1234)))
                    .get()
                    .get(10, TimeUnit.SECONDS);
            Channel global = loop.submit(() -> pool.acquire(true)).get().get(10, TimeUnit.SECONDS);

            assertThat(own.config().getConnectTimeoutMillis()).isEqualTo(1234);
            assertThat(global.config().getConnectTimeoutMillis()).isEqualTo(5000);
            own.close().sync();
            global.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
