package dev.usher.proxy;

import static dev.usher.proxy.OptionsFixture.ingress;
import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.BackendRef;
import dev.usher.routing.CustomErrors;
import dev.usher.routing.Endpoint;
import dev.usher.routing.PortRef;
import dev.usher.routing.ResponseRewrites;
import dev.usher.routing.ResponseRewrites.Rule;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.RoutingSnapshot;
import dev.usher.routing.RoutingTable;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's {@code proxy-redirect-from}/{@code -to}, {@code proxy-cookie-domain} and {@code proxy-cookie-path}
 * end to end: a raw origin answers {@code Location}, {@code Refresh} and {@code Set-Cookie} fields byte for byte as
 * scripted (odd spacing and case, several cookies, attribute look-alikes in cookie values), and the client, over
 * HTTP/1.1 and HTTP/2, gets them rewritten with nginx's rules - or untouched on a route without the options.
 */
final class ResponseRewritesTest {

    private static final BackendRef APP = OptionsFixture.APP;
    private static final BackendRef ERRORS = new BackendRef("default", "errors", PortRef.number(80));

    /** The error backend's answer (to a request with ingress-nginx's {@code X-Code}). */
    private static final String ERROR_PAGE = "HTTP/1.1 404 Not Found\r\n"
            + "Location: http://backend:8080/from-error-page\r\n"
            + "Set-Cookie: err=1; Domain=backend.local; Path=/one/\r\n";

    /** The origin's answer to each path: the fields after the status line (CRLF-separated). */
    private static final Map<String, String> ANSWERS = Map.of(
            "/redirect",
            "HTTP/1.1 302 Found\r\n"
                    + "Location: http://backend:8080/login?next=/x\r\n"
                    + "Refresh: 5; URL=http://backend:8080/later\r\n",
            "/redirect-elsewhere",
            "HTTP/1.1 301 Moved Permanently\r\n"
                    + "Location: HTTP://BACKEND:8080/upper\r\n" // nginx's prefix match is case-sensitive
                    + "Refresh: 5\r\n",
            "/ws",
            "HTTP/1.1 101 Switching Protocols\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                    + "Set-Cookie: ws=1; Path=/one/ws; Domain=backend.local\r\n",
            "/created",
            "HTTP/1.1 201 Created\r\nLocation: http://backend:8080/items/7\r\n",
            "/cookies",
            "HTTP/1.1 200 OK\r\n"
                    + "Set-Cookie: a=1; Path=/one/sub; Domain=backend.local; HttpOnly\r\n"
                    + "Set-Cookie: b=2;path=/one/;DOMAIN=.Backend.LOCAL;Secure\r\n"
                    + "Set-Cookie: c=3 ;  Path =  /one/x  ;\tdomain=\tbackend.local ; SameSite=Lax\r\n"
                    + "Set-Cookie: Domain=backend.local; Path=/two\r\n" // a cookie named Domain: its value stays
                    + "Set-Cookie: e=Path=/one/; Max-Age=60\r\n" // an attribute look-alike in the value stays
                    + "Set-Cookie: f=6; Domain=notbackend.local; Path=/onex\r\n" // neither matches
                    + "Set-Cookie: g=7; Domain=backend.local.evil.test; Path=/One/\r\n" // neither matches
                    + "Set-Cookie: novalue; Path=/one/\r\n" // no name=value first: nginx leaves it alone
                    + "Set-Cookie: h=8; Domain=backend.local; Domain=.backend.local; Path=\r\n"
                    + "Set-Cookie: i=9\r\n");

    private static ScriptedOrigin origin;
    private static RoutingTable table;
    private static ProxyServer proxy;
    private static HttpClient client;

    private static final ResponseRewrites ALL = new ResponseRewrites(
            new Rule("http://backend:8080/", "https://app.example.com/"),
            new Rule("backend.local", "example.com"),
            new Rule("/one/", "/"));

    @BeforeAll
    static void start() throws IOException {
        origin = new ScriptedOrigin();
        table = new RoutingTable();
        table.updateEndpoints(APP, List.of(new Endpoint("127.0.0.1", origin.port(), "pod-o", null)));
        table.updateEndpoints(ERRORS, List.of(new Endpoint("127.0.0.1", origin.port(), "pod-e", null)));
        table.publish(RoutingSnapshot.builder()
                .add(ingress(
                        "rewrites",
                        "rewrites.test",
                        RouteOptions.builder().responseRewrites(ALL).build()))
                .add(ingress(
                        "relative",
                        "relative.test",
                        RouteOptions.builder()
                                .responseRewrites(
                                        new ResponseRewrites(new Rule("http://backend:8080/", "/"), null, null))
                                .build()))
                .add(ingress("plain", "plain.test", RouteOptions.DEFAULT))
                .add(ingress(
                        "errors",
                        "errors.test",
                        RouteOptions.builder()
                                .responseRewrites(ALL)
                                .customErrors(new CustomErrors(Set.of(404), ERRORS))
                                .build()))
                .build(table::backend));
        proxy = ProxyServer.builder()
                .routingTable(table)
                .bindAddress("127.0.0.1")
                .httpPort(0)
                .settings(ProxySettings.defaults())
                .build();
        proxy.start();
        client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @AfterAll
    static void stop() throws IOException {
        proxy.close();
        origin.close();
    }

    @Test
    void http11_locationAndRefresh_getTheNewPrefix() throws Exception {
        HttpResponse<Void> r = get("rewrites.test", "/redirect");

        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().allValues("location")).containsExactly("https://app.example.com/login?next=/x");
        assertThat(r.headers().allValues("refresh")).containsExactly("5; URL=https://app.example.com/later");
    }

    @Test
    void http11_anyStatusWithLocation_isRewritten_aRelativeReplacementStaysRelative() throws Exception {
        assertThat(get("rewrites.test", "/created").headers().allValues("location"))
                .containsExactly("https://app.example.com/items/7");
        assertThat(get("relative.test", "/redirect").headers().allValues("location"))
                .containsExactly("/login?next=/x");
    }

    @Test
    void http11_otherPrefixes_otherCase_andRefreshWithoutUrl_areLeftAlone() throws Exception {
        HttpResponse<Void> r = get("rewrites.test", "/redirect-elsewhere");

        assertThat(r.headers().allValues("location")).containsExactly("HTTP://BACKEND:8080/upper");
        assertThat(r.headers().allValues("refresh")).containsExactly("5");
    }

    @Test
    void http11_setCookie_onlyDomainAndPathAttributesChange_everyCookieOnItsOwn() throws Exception {
        HttpResponse<Void> r = get("rewrites.test", "/cookies");

        assertThat(r.headers().allValues("set-cookie"))
                .containsExactly(
                        "a=1; Path=/sub; Domain=example.com; HttpOnly",
                        "b=2;path=/;DOMAIN=.example.com;Secure",
                        // the tabs reach the client as spaces (as on the route without options, below)
                        "c=3 ;  Path =  /x  ; domain= example.com ; SameSite=Lax",
                        "Domain=backend.local; Path=/two",
                        "e=Path=/one/; Max-Age=60",
                        "f=6; Domain=notbackend.local; Path=/onex",
                        "g=7; Domain=backend.local.evil.test; Path=/One/",
                        "novalue; Path=/one/",
                        "h=8; Domain=example.com; Domain=.example.com; Path=",
                        "i=9");
    }

    @Test
    void http11_aRouteWithoutTheOptions_passesEveryFieldAsSent() throws Exception {
        HttpResponse<Void> redirect = get("plain.test", "/redirect");
        HttpResponse<Void> cookies = get("plain.test", "/cookies");

        assertThat(redirect.headers().allValues("location")).containsExactly("http://backend:8080/login?next=/x");
        assertThat(redirect.headers().allValues("refresh")).containsExactly("5; URL=http://backend:8080/later");
        assertThat(cookies.headers().allValues("set-cookie"))
                .hasSize(10)
                .contains(
                        "a=1; Path=/one/sub; Domain=backend.local; HttpOnly",
                        "b=2;path=/one/;DOMAIN=.Backend.LOCAL;Secure",
                        "c=3 ;  Path =  /one/x  ; domain= backend.local ; SameSite=Lax",
                        "h=8; Domain=backend.local; Domain=.backend.local; Path=");
    }

    @Test
    void theErrorBackendsResponse_isNotRewritten_asIngressNginxsCustomErrorLocationHasNoProxyRedirect()
            throws Exception {
        HttpResponse<Void> r = get("errors.test", "/missing");

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().allValues("location")).containsExactly("http://backend:8080/from-error-page");
        assertThat(r.headers().allValues("set-cookie")).containsExactly("err=1; Domain=backend.local; Path=/one/");
        assertThat(origin.paths.stream().filter("/missing"::equals)).hasSize(2); // the route's, the error backend's
    }

    @Test
    void aWebSocketUpgrade_101_isRewrittenToo_asNginxEditsEveryProxiedHead() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.httpPort())) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream()
                    .write(("GET /ws HTTP/1.1\r\nHost: rewrites.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));

            String head = ScriptedOrigin.readHead(socket.getInputStream());

            assertThat(head)
                    .startsWith("HTTP/1.1 101")
                    .contains("\r\nset-cookie: ws=1; Path=/ws; Domain=example.com\r\n");
        }
    }

    @Test
    void http2_getsTheSameRewrites() throws Exception {
        try (RawH2 h2 = RawH2.connect(proxy.httpPort())) {
            h2.headers(1, RawH2.request("GET", "rewrites.test", "/redirect"), true);
            h2.headers(3, RawH2.request("GET", "rewrites.test", "/cookies"), true);

            Map<Integer, RawH2.Reply> replies = h2.replies(List.of(1, 3));

            Http2Headers redirect = replies.get(1).head;
            assertThat(replies.get(1).status()).isEqualTo("302");
            assertThat(strings(redirect.getAll("location"))).containsExactly("https://app.example.com/login?next=/x");
            assertThat(strings(redirect.getAll("refresh"))).containsExactly("5; URL=https://app.example.com/later");
            Http2Headers cookies = replies.get(3).head;
            assertThat(strings(cookies.getAll("set-cookie")))
                    .hasSize(10)
                    .contains(
                            "a=1; Path=/sub; Domain=example.com; HttpOnly",
                            "b=2;path=/;DOMAIN=.example.com;Secure",
                            "Domain=backend.local; Path=/two",
                            "e=Path=/one/; Max-Age=60");
        }
    }

    private static List<String> strings(List<CharSequence> values) {
        return values.stream().map(CharSequence::toString).toList();
    }

    private static HttpResponse<Void> get(String host, String path) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + path))
                        .header("Host", host)
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.discarding());
    }

    /**
     * An HTTP/1.1 origin on raw sockets: each request head (no body) gets the scripted answer for its path, exactly
     * as written, with {@code Content-Length: 0}; connections are kept alive.
     */
    private static final class ScriptedOrigin implements AutoCloseable {

        final ConcurrentLinkedQueue<String> paths = new ConcurrentLinkedQueue<>();
        private final ServerSocket server;

        ScriptedOrigin() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(this::accept, "scripted-origin");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    Thread t = new Thread(() -> serve(socket), "scripted-origin-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        private void serve(Socket socket) {
            try (socket) {
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                String head;
                while ((head = readHead(in)) != null) {
                    String path = head.split(" ", 3)[1];
                    paths.add(path);
                    String answer = head.toLowerCase(Locale.ROOT).contains("\r\nx-code: ")
                            ? ERROR_PAGE
                            : ANSWERS.getOrDefault(path, "HTTP/1.1 404 Not Found\r\n");
                    String end = answer.startsWith("HTTP/1.1 101") ? "\r\n" : "Content-Length: 0\r\n\r\n";
                    out.write((answer + end).getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                }
            } catch (IOException e) {
                // the proxy closed the connection
            }
        }

        /** The request head up to its blank line, or {@code null} at the end of the connection. */
        private static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            int b;
            while ((b = in.read()) >= 0) {
                head.write(b);
                matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
                if (matched == 4) {
                    return head.toString(StandardCharsets.ISO_8859_1);
                }
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
