package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.proxy.echo.EchoServer;
import dev.usher.routing.Endpoint;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The proxy in front of the project's echo origin (two pods), as the demo and benchmarks run it. */
final class EchoOriginTest {

    private static ProxyFixture fixture;
    private static final List<EchoServer> echoes = new ArrayList<>();

    @BeforeAll
    static void start() {
        fixture = new ProxyFixture(0, ProxySettings.defaults());
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            EchoServer echo = EchoServer.builder()
                    .port(0)
                    .bindAddress("127.0.0.1")
                    .name("alpaca")
                    .namespace("default")
                    .ingress("app-ingress")
                    .service("app")
                    .pod("alpaca-" + i)
                    .build();
            echo.start();
            echoes.add(echo);
            endpoints.add(new Endpoint("127.0.0.1", echo.port(), "alpaca-" + i));
        }
        fixture.table.updateEndpoints(ProxyFixture.APP, endpoints);
    }

    @AfterAll
    static void stop() {
        fixture.close();
        echoes.forEach(EchoServer::close);
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(fixture.uri(path)).header("Host", "app.test");
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return fixture.client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void echo_seesTargetHostMethodAndForwardingHeaders_andResponseGetsUsherServer() throws Exception {
        HttpResponse<String> res = get("/a/b?x=1&y=%20z");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("server")).hasValue("usher");
        assertThat(res.headers().firstValue("content-length")).isPresent();
        assertThat(res.body())
                .contains(
                        "\"uri\":\"/a/b?x=1&y=%20z\"",
                        "\"host\":\"app.test\"",
                        "\"method\":\"GET\"",
                        "\"x-forwarded-for\":[\"127.0.0.1\"]",
                        "\"x-forwarded-proto\":[\"http\"]",
                        "\"x-real-ip\":[\"127.0.0.1\"]",
                        "\"x-forwarded-host\":[\"app.test\"]");
    }

    @Test
    void roundRobin_alternatesPods_andKeepAliveReusesOneConnectionPerPod() throws Exception {
        List<String> pods = new ArrayList<>();
        List<String> connections = new ArrayList<>();
        Pattern pod = Pattern.compile("\"pod\":\"([^\"]+)\"");
        Pattern connection = Pattern.compile("\"connection\":(\\d+)");
        for (int i = 0; i < 10; i++) {
            String body = get("/rr").body();
            Matcher p = pod.matcher(body);
            Matcher c = connection.matcher(body);
            assertThat(p.find()).isTrue();
            assertThat(c.find()).isTrue();
            pods.add(p.group(1));
            connections.add(p.group(1) + "#" + c.group(1));
        }

        assertThat(pods).containsOnly("alpaca-0", "alpaca-1");
        assertThat(pods.stream().filter("alpaca-0"::equals).count()).isEqualTo(5);
        assertThat(connections.stream().distinct().count()).isEqualTo(2);
    }

    @Test
    void originConnectionCloseAndHopByHopResponseHeaders_areNotPassedOn() throws Exception {
        HttpResponse<String> res =
                get("/h", "X-Echo-Response-Header", "Keep-Alive: timeout=9", "X-Echo-Response-Header", "X-Kept: yes");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().map()).containsKey("x-kept").doesNotContainKey("keep-alive");
    }

    @Test
    void originWithAmbiguousFraming_is502() throws Exception {
        HttpResponse<String> res = get("/bad", "X-Echo-Response-Header", "Transfer-Encoding: chunked");

        assertThat(res.statusCode()).isEqualTo(502);
    }

    @Test
    void webSocket_echoesThroughProxy() throws Exception {
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket ws = fixture.webSocket("/ws", received);

        ws.sendText("ping", true).get(10, TimeUnit.SECONDS);

        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("ping");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
    }
}
