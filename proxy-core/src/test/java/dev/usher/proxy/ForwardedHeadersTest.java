package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the origin receives as forwarding headers: raw requests on a real socket, the origin dumping every header it
 * got. {@code open} trusts nobody (the default); {@code behindLb} trusts the test client's own address, 127.0.0.1,
 * as if it were a load balancer, plus 10.0.0.0/8 and fd00::/8 as further hops.
 */
final class ForwardedHeadersTest {

    private static ProxyFixture open;
    private static ProxyFixture behindLb;
    private static ProxyFixture elsewhere;

    @BeforeAll
    static void start() {
        open = new ProxyFixture(1, ProxySettings.defaults());
        behindLb = new ProxyFixture(
                1,
                ProxySettings.builder()
                        .trustedProxies(TrustedProxies.parse("127.0.0.1/32, 10.0.0.0/8, fd00::/8"))
                        .build());
        elsewhere = new ProxyFixture(
                1,
                ProxySettings.builder()
                        .trustedProxies(TrustedProxies.parse("10.0.0.0/8"))
                        .build());
    }

    @AfterAll
    static void stop() {
        open.close();
        behindLb.close();
        elsewhere.close();
    }

    /** Sends one GET to {@code app.test/echo} with the given header lines and returns the origin's dump. */
    static String echo(ProxyFixture fixture, String... headerLines) throws Exception {
        StringBuilder request = new StringBuilder("GET /echo HTTP/1.1\r\nHost: app.test\r\n");
        for (String line : headerLines) {
            request.append(line).append("\r\n");
        }
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            String response = raw.send(
                            request.append("Connection: close\r\n\r\n").toString())
                    .readUntilClose();
            assertThat(response).startsWith("HTTP/1.1 200");
            return response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    /** Every value the origin received for the (lower-case) header {@code name}. */
    static List<String> values(String dump, String name) {
        List<String> out = new ArrayList<>();
        for (String line : dump.split("\n")) {
            if (line.startsWith(name + ": ")) {
                out.add(line.substring(name.length() + 2));
            }
        }
        return out;
    }

    @Test
    void untrustedPeer_spoofedForwardingHeaders_areReplacedOrRemoved() throws Exception {
        String dump = echo(
                open,
                "X-Forwarded-For: 6.6.6.6",
                "X-Forwarded-Proto: https",
                "X-Forwarded-Host: evil.test",
                "X-Forwarded-Port: 443",
                "X-Forwarded-Prefix: /evil",
                "X-Forwarded-Scheme: https",
                "Forwarded: for=6.6.6.6;proto=https;host=evil.test",
                "X-Real-IP: 6.6.6.6",
                "x-real-ip: 6.6.6.7",
                "True-Client-IP: 6.6.6.6",
                "X-Client-IP: 6.6.6.6",
                "X-Cluster-Client-IP: 6.6.6.6",
                "X-Original-Forwarded-For: 6.6.6.6",
                "X-Original-URL: /evil",
                "X-Rewrite-URL: /evil",
                "Proxy: http://evil.test:3128");

        assertThat(values(dump, "x-forwarded-for")).containsExactly("127.0.0.1");
        assertThat(values(dump, "x-real-ip")).containsExactly("127.0.0.1");
        assertThat(values(dump, "x-forwarded-proto")).containsExactly("http");
        assertThat(values(dump, "x-forwarded-host")).containsExactly("app.test");
        assertThat(values(dump, "x-forwarded-port")).containsExactly(Integer.toString(open.proxy.httpPort()));
        assertThat(dump)
                .contains("uri=/echo\n")
                .doesNotContain(
                        "6.6.6",
                        "evil",
                        "forwarded: ",
                        "x-forwarded-prefix",
                        "x-forwarded-scheme",
                        "true-client-ip",
                        "x-client-ip",
                        "x-cluster-client-ip",
                        "x-original",
                        "rewrite",
                        "proxy: ");
    }

    @Test
    void trustedPeer_appendsItselfToTheChain_andKeepsTheLoadBalancersProtoHostAndPort() throws Exception {
        String dump = echo(
                behindLb,
                "X-Forwarded-For: 198.51.100.7, 203.0.113.9, 10.1.2.3",
                "X-Forwarded-Proto: https",
                "X-Forwarded-Host: shop.example",
                "X-Forwarded-Port: 443",
                "X-Forwarded-Prefix: /shop",
                "X-Original-URL: /admin",
                "X-Real-IP: 6.6.6.6");

        assertThat(values(dump, "x-forwarded-for")).containsExactly("198.51.100.7, 203.0.113.9, 10.1.2.3, 127.0.0.1");
        assertThat(values(dump, "x-real-ip")).containsExactly("203.0.113.9");
        assertThat(values(dump, "x-forwarded-proto")).containsExactly("https");
        assertThat(values(dump, "x-forwarded-host")).containsExactly("shop.example");
        assertThat(values(dump, "x-forwarded-port")).containsExactly("443");
        assertThat(values(dump, "x-forwarded-prefix")).containsExactly("/shop");
        assertThat(values(dump, "x-original-url")).isEmpty(); // a path override is never anyone's to send
    }

    @Test
    void trustedPeer_withoutForwardingHeaders_getsUshersOwn() throws Exception {
        String dump = echo(behindLb);

        assertThat(values(dump, "x-forwarded-for")).containsExactly("127.0.0.1");
        assertThat(values(dump, "x-real-ip")).containsExactly("127.0.0.1");
        assertThat(values(dump, "x-forwarded-proto")).containsExactly("http");
        assertThat(values(dump, "x-forwarded-host")).containsExactly("app.test");
        assertThat(values(dump, "x-forwarded-port")).containsExactly(Integer.toString(behindLb.proxy.httpPort()));
    }

    @Test
    void trustedPeer_chainOnTwoHeaderLines_isReadAsOneList() throws Exception {
        String dump = echo(behindLb, "X-Forwarded-For: 203.0.113.9", "X-Forwarded-For: 10.0.0.1");

        assertThat(values(dump, "x-forwarded-for")).containsExactly("203.0.113.9, 10.0.0.1, 127.0.0.1");
        assertThat(values(dump, "x-real-ip")).containsExactly("203.0.113.9");
    }

    @ParameterizedTest(name = "X-Forwarded-For: {0} -> client {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "203.0.113.9|203.0.113.9",
                "198.51.100.7, 203.0.113.9, 10.1.2.3|203.0.113.9",
                "10.0.0.2, 10.0.0.1|10.0.0.2",
                "203.0.113.9, not-an-ip, 10.0.0.1|10.0.0.1",
                "203.0.113.9, unknown|127.0.0.1",
                "junk|127.0.0.1",
                "203.0.113.9, 10.0.0.1:8080|203.0.113.9",
                "203.0.113.9:51234|203.0.113.9",
                "[2001:db8::1]:443, fd00::5|2001:db8::1",
                "2001:DB8:0:0:0:0:0:1|2001:db8::1",
                "::ffff:203.0.113.9|203.0.113.9",
                "' , ,203.0.113.9 , '|203.0.113.9",
                "fe80::1%eth0|127.0.0.1",
                "203.0.113.9.example.com|127.0.0.1",
                "[::1|127.0.0.1",
                "1.2.3.4:99999|127.0.0.1"
            })
    void trustedPeer_clientAddress_isTheRightMostUntrustedEntry_andJunkStopsTheWalk(String chain, String client)
            throws Exception {
        String dump = echo(behindLb, "X-Forwarded-For: " + chain);

        assertThat(values(dump, "x-real-ip")).containsExactly(client);
        assertThat(values(dump, "x-forwarded-for")).containsExactly(chain.strip() + ", 127.0.0.1");
    }

    @Test
    void peerOutsideTrustedProxies_isTreatedAsAnyClient() throws Exception {
        String dump = echo(elsewhere, "X-Forwarded-For: 203.0.113.9", "X-Forwarded-Proto: https");

        assertThat(values(dump, "x-forwarded-for")).containsExactly("127.0.0.1");
        assertThat(values(dump, "x-real-ip")).containsExactly("127.0.0.1");
        assertThat(values(dump, "x-forwarded-proto")).containsExactly("http");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc-123", "0f8fad5b-d9cb-469f-a165-70867728950e", "Req_1.2-x"})
    void requestId_safeShortToken_isKept(String id) throws Exception {
        assertThat(values(echo(open, "X-Request-ID: " + id), "x-request-id")).containsExactly(id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b", "id\"quoted", "id;drop=1", "<script>", "a/b", "caf\u00e9", "id%0d%0a"})
    void requestId_unsafeOrLong_isReplacedByAGeneratedOne(String id) throws Exception {
        List<String> ids = values(echo(open, "X-Request-ID: " + id), "x-request-id");

        assertThat(ids).hasSize(1);
        assertThat(ids.get(0)).matches("[0-9a-f]{32}");
    }

    @Test
    void requestId_of128Characters_isKept_of129_isReplaced() throws Exception {
        String longest = "r".repeat(128);

        assertThat(values(echo(open, "X-Request-ID: " + longest), "x-request-id"))
                .containsExactly(longest);
        assertThat(values(echo(open, "X-Request-ID: " + longest + "r"), "x-request-id")
                        .get(0))
                .matches("[0-9a-f]{32}");
    }

    @Test
    void requestId_sentTwice_reachesTheOriginOnce() throws Exception {
        assertThat(values(echo(open, "X-Request-ID: first", "X-Request-ID: second"), "x-request-id"))
                .containsExactly("first");
    }
}
