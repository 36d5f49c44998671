package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.HeaderEdit;
import dev.usher.routing.HeaderEdit.Mode;
import dev.usher.routing.LocalRedirect;
import dev.usher.routing.NginxTemplate;
import dev.usher.routing.RouteOptions;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An Ingress's header edits (the header directives of its {@code configuration-snippet}) on real sockets: set replaces
 * the origin's fields of that name, add keeps them and only on nginx's {@code add_header} statuses unless
 * {@code always}, clear removes them; a route without edits is untouched.
 */
final class HeaderEditsTest {

    private static OptionsFixture fixture;

    @BeforeAll
    static void start() {
        List<HeaderEdit> edits = List.of(
                new HeaderEdit("X-Frame-Options", "DENY", Mode.SET),
                new HeaderEdit("content-type", "text/html", Mode.SET),
                new HeaderEdit("x-added", "yes", Mode.ADD),
                new HeaderEdit("x-always", "yes", Mode.ADD_ALWAYS),
                new HeaderEdit("x-kept", "again", Mode.ADD),
                new HeaderEdit("x-secret-origin", null, Mode.CLEAR),
                new HeaderEdit("x-secret-origin", "not this one", Mode.ADD_ALWAYS),
                new HeaderEdit("x-secret-origin", null, Mode.CLEAR),
                expanding("x-seen", "$scheme://$host$request_uri", Mode.ADD_ALWAYS));
        fixture = new OptionsFixture(
                ProxySettings.defaults(),
                Map.of(
                        "edit.test",
                        RouteOptions.builder().headerEdits(edits).build(),
                        "sent.test",
                        RouteOptions.builder()
                                .requestHeaderEdits(List.of(
                                        new HeaderEdit("x-tenant", "blue", Mode.SET),
                                        new HeaderEdit("X-Forwarded-Proto", "https", Mode.SET),
                                        new HeaderEdit("user-agent", null, Mode.CLEAR),
                                        expanding("x-client", "$remote_addr for $service_name", Mode.SET),
                                        expanding("x-uri", "$request_uri", Mode.SET)))
                                .build(),
                        "moved.test",
                        RouteOptions.builder()
                                .headerEdits(edits)
                                .redirect(new LocalRedirect("https://new.example.com/", 301))
                                .build(),
                        "fields.test",
                        RouteOptions.builder()
                                .headerEdits(List.of(
                                        expanding("access-control-allow-origin", "$http_origin", Mode.ADD_ALWAYS)))
                                .requestHeaderEdits(List.of(
                                        new HeaderEdit("x-tenant", "blue", Mode.SET),
                                        expanding("x-was", "$http_x_tenant/$http_te/$cookie_s", Mode.SET),
                                        expanding("host", "$host", Mode.SET)))
                                .build(),
                        "id.test",
                        RouteOptions.builder()
                                .headerEdits(List.of(expanding("x-request-id", "$req_id", Mode.SET)))
                                .requestHeaderEdits(List.of(expanding("x-trace", "rid=$request_id", Mode.SET)))
                                .build(),
                        "id-moved.test",
                        RouteOptions.builder()
                                .headerEdits(List.of(expanding("x-request-id", "$req_id", Mode.SET)))
                                .redirect(new LocalRedirect("https://new.example.com/", 301))
                                .build(),
                        "filtered.test",
                        RouteOptions.builder()
                                .headerEdits(List.of(
                                        new HeaderEdit("x-missing", "yes", Mode.SET, null, Set.of(404), Set.of()),
                                        new HeaderEdit(
                                                "x-plain", "yes", Mode.SET, null, Set.of(), Set.of("text/plain")),
                                        new HeaderEdit("x-html", "yes", Mode.SET, null, Set.of(), Set.of("text/html"))))
                                .build(),
                        "plain.test",
                        RouteOptions.DEFAULT));
    }

    private static HeaderEdit expanding(String name, String value, Mode mode) {
        return new HeaderEdit(name, value, mode, NginxTemplate.parse(value));
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void aSuccessfulResponse_getsEveryEdit_inOrder() throws Exception {
        HttpResponse<String> res = fixture.get("edit.test", "/hop");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).isEqualTo("hop");
        assertThat(res.headers().allValues("x-frame-options")).containsExactly("DENY");
        assertThat(res.headers().allValues("content-type")).containsExactly("text/html"); // the origin's replaced
        assertThat(res.headers().allValues("x-added")).containsExactly("yes");
        assertThat(res.headers().allValues("x-always")).containsExactly("yes");
        assertThat(res.headers().allValues("x-kept")).containsExactly("k", "again"); // add keeps the origin's
        assertThat(res.headers().map()).doesNotContainKey("x-secret-origin");
        assertThat(res.headers().allValues("x-seen")).containsExactly("http://edit.test/hop"); // the request as sent
    }

    @Test
    void anErrorFromTheOrigin_getsSetAndAlways_butNotAdd() throws Exception {
        HttpResponse<String> res = fixture.get("edit.test", "/status/404");

        assertThat(res.statusCode()).isEqualTo(404);
        assertThat(res.headers().allValues("x-frame-options")).containsExactly("DENY");
        assertThat(res.headers().allValues("x-always")).containsExactly("yes");
        assertThat(res.headers().map()).doesNotContainKey("x-added");
    }

    @Test
    void anHttp2Client_getsTheSameEdits() throws Exception {
        String out = Http2ListenersTest.curl(
                "--http2-prior-knowledge",
                "-H",
                "Host: edit.test",
                "http://127.0.0.1:" + fixture.proxy.httpPort() + "/hop");

        assertThat(out)
                .startsWith("HTTP/2 200")
                .contains("\nx-frame-options: DENY")
                .contains("\ncontent-type: text/html")
                .contains("\nx-added: yes")
                .contains("\nx-kept: k")
                .contains("\nx-kept: again")
                .contains("\nx-seen: http://edit.test/hop")
                .doesNotContain("x-secret-origin")
                .doesNotContain("text/plain");
    }

    @Test
    void ourOwnAnswersOnTheRoute_getThemToo_asNginxsLocationWould() throws Exception {
        HttpResponse<String> moved = fixture.get("moved.test", "/");
        assertThat(moved.statusCode()).isEqualTo(301);
        assertThat(moved.headers().allValues("location")).containsExactly("https://new.example.com/");
        assertThat(moved.headers().allValues("x-frame-options")).containsExactly("DENY");
        assertThat(moved.headers().allValues("x-added")).containsExactly("yes"); // 301 is on add_header's list
        assertThat(moved.headers().allValues("x-seen")).containsExactly("http://moved.test/");

        HttpResponse<String> failed = fixture.get("edit.test", "/reset"); // the origin closes without answering
        assertThat(failed.statusCode()).isEqualTo(502);
        assertThat(failed.headers().allValues("x-frame-options")).containsExactly("DENY");
        assertThat(failed.headers().allValues("x-always")).containsExactly("yes");
        assertThat(failed.headers().map()).doesNotContainKey("x-added");
        assertThat(failed.headers().allValues("x-seen")).containsExactly("http://edit.test/reset");

        assertThat(fixture.get("nowhere.test", "/").headers().map()) // no route: nobody's edits
                .doesNotContainKey("x-frame-options");
    }

    @Test
    void requestEdits_reachTheOrigin_afterUshersOwnForwardingFields() throws Exception {
        assertThat(fixture.get("sent.test", "/echo?sent", "X-Tenant", "red").statusCode())
                .isEqualTo(200);

        io.netty.handler.codec.http.HttpRequest seen = fixture.origin.seen.stream()
                .filter(r -> r.uri().equals("/echo?sent"))
                .findFirst()
                .orElseThrow();
        assertThat(seen.headers().getAll("x-tenant")).containsExactly("blue"); // the client's replaced
        assertThat(seen.headers().getAll("x-forwarded-proto")).containsExactly("https"); // over Usher's "http"
        assertThat(seen.headers().contains("user-agent")).isFalse(); // the JDK client sends one
        assertThat(seen.headers().get("x-forwarded-for")).isEqualTo("127.0.0.1"); // the rest as usual
        assertThat(seen.headers().get("x-client")).isEqualTo("127.0.0.1 for app"); // variables, per request
        assertThat(seen.headers().get("x-uri")).isEqualTo("/echo?sent");
    }

    @Test
    void theClientsOwnFields_areReadAsSent_beforeAnyEdit_andEncoded() throws Exception {
        HttpResponse<String> response = fixture.get(
                "Fields.Test:" + fixture.proxy.httpPort(),
                "/echo?fields",
                "X-Tenant",
                "red",
                "Cookie",
                "a=1; s=two words",
                "Origin",
                "https://app.example.com",
                "TE",
                "trailers");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().allValues("access-control-allow-origin"))
                .containsExactly("https://app.example.com");
        io.netty.handler.codec.http.HttpRequest seen = fixture.origin.seen.stream()
                .filter(r -> r.uri().equals("/echo?fields"))
                .findFirst()
                .orElseThrow();
        assertThat(seen.headers().getAll("x-tenant")).containsExactly("blue");
        // the client's X-Tenant before the edit replaced it, its hop-by-hop TE before Usher removed it, a space
        // of the cookie percent-encoded as every expanded byte that could not stand in a field
        assertThat(seen.headers().get("x-was")).isEqualTo("red/trailers/two%20words");
        assertThat(seen.headers().getAll("host")).containsExactly("fields.test"); // $host: lower case, no port
    }

    @Test
    void theRequestId_isOneValue_forTheClientTheOriginAndTheEdits() throws Exception {
        HttpResponse<String> kept = fixture.get("id.test", "/echo?id-kept", "X-Request-ID", "abc-123");
        HttpResponse<String> made = fixture.get("id.test", "/echo?id-made");
        HttpResponse<String> unsafe = fixture.get("id.test", "/echo?id-unsafe", "X-Request-ID", "a b");

        assertThat(kept.headers().allValues("x-request-id")).containsExactly("abc-123"); // the client's safe one
        assertThat(seen("/echo?id-kept").headers().get("x-trace")).isEqualTo("rid=abc-123");
        String made32 = made.headers().firstValue("x-request-id").orElseThrow();
        assertThat(made32).matches("[0-9a-f]{32}");
        assertThat(seen("/echo?id-made").headers().get("x-request-id")).isEqualTo(made32);
        assertThat(seen("/echo?id-made").headers().get("x-trace")).isEqualTo("rid=" + made32);
        String replaced = unsafe.headers().firstValue("x-request-id").orElseThrow();
        assertThat(replaced).matches("[0-9a-f]{32}").isNotEqualTo(made32);
        assertThat(seen("/echo?id-unsafe").headers().get("x-trace")).isEqualTo("rid=" + replaced);
    }

    @Test
    void theRequestId_ofUshersOwnAnswer_isTheClientsSafeOne_orANewOne() throws Exception {
        HttpResponse<String> kept = fixture.get("id-moved.test", "/", "X-Request-ID", "abc-456");
        HttpResponse<String> made = fixture.get("id-moved.test", "/");

        assertThat(kept.statusCode()).isEqualTo(301);
        assertThat(kept.headers().allValues("x-request-id")).containsExactly("abc-456");
        assertThat(made.headers().firstValue("x-request-id").orElseThrow()).matches("[0-9a-f]{32}");
    }

    private static io.netty.handler.codec.http.HttpRequest seen(String uri) {
        return fixture.origin.seen.stream()
                .filter(r -> r.uri().equals(uri))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void statusAndTypeFilters_pickTheResponsesAnEditGoesOn() throws Exception {
        HttpResponse<String> ok = fixture.get("filtered.test", "/echo");
        HttpResponse<String> missing = fixture.get("filtered.test", "/status/404");

        assertThat(ok.headers().map()).containsKey("x-plain").doesNotContainKeys("x-missing", "x-html");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().map()).containsKeys("x-missing", "x-plain").doesNotContainKey("x-html");
    }

    @Test
    void aWebSocketUpgrade_101_getsTheEditsToo_asNginxsHeaderFilters() throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", fixture.proxy.httpPort())) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream()
                    .write(("GET /ws HTTP/1.1\r\nHost: edit.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            StringBuilder head = new StringBuilder();
            java.io.InputStream in = socket.getInputStream();
            while (head.indexOf("\r\n\r\n") < 0) {
                int b = in.read();
                assertThat(b).as("the 101's head ends").isNotNegative();
                head.append((char) b);
            }

            assertThat(head.toString())
                    .startsWith("HTTP/1.1 101")
                    .containsIgnoringCase("\r\nx-frame-options: DENY\r\n") // set: whatever the status
                    .containsIgnoringCase("\r\nx-always: yes\r\n")
                    .containsIgnoringCase("\r\nupgrade: websocket\r\n") // the tunnel's own fields untouched
                    .doesNotContainIgnoringCase("x-added"); // add_header without always: not on a 101
        }
    }

    @Test
    void theProxysOwnEdits_goOnEveryAnswer_beforeTheIngresss() throws Exception {
        ProxySettings settings = ProxySettings.builder()
                .addHeaders(List.of(
                        new HeaderEdit("x-frame-options", "SAMEORIGIN", Mode.SET),
                        new HeaderEdit("x-global", "yes", Mode.SET)))
                .proxySetHeaders(List.of(new HeaderEdit("x-env", "prod", Mode.SET)))
                .build();
        try (OptionsFixture proxy = new OptionsFixture(
                settings,
                Map.of(
                        "own.test",
                        RouteOptions.builder()
                                .headerEdits(List.of(new HeaderEdit("x-frame-options", "DENY", Mode.SET)))
                                .build(),
                        "plain.test",
                        RouteOptions.DEFAULT))) {
            HttpResponse<String> own = proxy.get("own.test", "/echo?global");
            assertThat(own.headers().allValues("x-frame-options")).containsExactly("DENY"); // the Ingress's last
            assertThat(own.headers().allValues("x-global")).containsExactly("yes");
            assertThat(proxy.origin.seen.peek().headers().get("x-env")).isEqualTo("prod");

            assertThat(proxy.get("plain.test", "/hop").headers().allValues("x-frame-options"))
                    .containsExactly("SAMEORIGIN");
            HttpResponse<String> none = proxy.get("nowhere.test", "/"); // no rule: Usher's 404 gets them too
            assertThat(none.statusCode()).isEqualTo(404);
            assertThat(none.headers().allValues("x-global")).containsExactly("yes");
        }
    }

    @Test
    void aRouteWithoutEdits_isUntouched() throws Exception {
        HttpResponse<String> res = fixture.get("plain.test", "/hop");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().allValues("x-kept")).containsExactly("k");
        assertThat(res.headers().allValues("content-type")).containsExactly("text/plain");
        assertThat(res.headers().map()).doesNotContainKeys("x-frame-options", "x-always");
    }
}
