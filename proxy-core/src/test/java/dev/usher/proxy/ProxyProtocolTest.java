package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usher.tls.DefaultCertificate;
import dev.usher.tls.JdkTlsClient;
import dev.usher.tls.TlsCertificate;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.AsyncMapping;
import io.netty.util.NetUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Listeners with {@code proxyProtocol}: the client address comes from the PROXY header (v1 text, v2 binary written
 * byte by byte here), before plain HTTP or before the TLS ClientHello; a connection without a valid header is closed
 * and nothing reaches the origin.
 */
final class ProxyProtocolTest {

    private static final String GET = "GET /echo HTTP/1.1\r\nHost: app.test\r\n\r\n";
    private static final String GET_CLOSE = "GET /echo HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n";

    private static ProxyFixture fixture;
    private static ProxyFixture quick;
    private static ProxyFixture withTrustedLb;

    @BeforeAll
    static void start() throws Exception {
        TlsCertificate cert = DefaultCertificate.generate();
        SslContext context =
                SslContextBuilder.forServer(cert.key(), cert.chain()).build();
        AsyncMapping<String, SslContext> sni = (host, promise) -> promise.setSuccess(context);
        fixture =
                new ProxyFixture(1, ProxySettings.builder().proxyProtocol(true).build(), b -> b.https(0, sni));
        quick = new ProxyFixture(
                1,
                ProxySettings.builder()
                        .proxyProtocol(true)
                        .requestHeaderTimeout(Duration.ofMillis(200))
                        .build());
        withTrustedLb = new ProxyFixture(
                1,
                ProxySettings.builder()
                        .proxyProtocol(true)
                        .trustedProxies(TrustedProxies.parse("10.0.0.0/8"))
                        .build());
    }

    @AfterAll
    static void stop() {
        fixture.close();
        quick.close();
        withTrustedLb.close();
    }

    /** A v2 header: signature, version 2 with {@code command}, {@code family}, then the address block. */
    static byte[] v2(int command, int family, byte[] addresses) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        out.write(0x20 | command); // high nibble: version 2; low nibble: 0 LOCAL, 1 PROXY
        out.write(family); // high nibble: 1 AF_INET, 2 AF_INET6; low nibble: 1 STREAM
        out.write(addresses.length >>> 8);
        out.write(addresses.length & 0xFF);
        out.writeBytes(addresses);
        return out.toByteArray();
    }

    /** The v2 address block for TCP: source and destination address, then source and destination port. */
    static byte[] tcp(String source, String destination, int sourcePort, int destinationPort) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(NetUtil.createByteArrayFromIpAddressString(source));
        out.writeBytes(NetUtil.createByteArrayFromIpAddressString(destination));
        out.write(sourcePort >>> 8);
        out.write(sourcePort & 0xFF);
        out.write(destinationPort >>> 8);
        out.write(destinationPort & 0xFF);
        return out.toByteArray();
    }

    static byte[] concat(byte[] first, String then) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(first);
        out.writeBytes(then.getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    private static String exchange(ProxyFixture target, byte[] bytes) throws IOException {
        try (RawHttp raw = new RawHttp(target.proxy.httpPort())) {
            raw.socket.getOutputStream().write(bytes);
            return raw.readUntilClose();
        }
    }

    @Test
    void v1Header_thenRequestInTheSamePacket_clientAddressComesFromTheHeader() throws Exception {
        String response = exchange(
                fixture,
                ("PROXY TCP4 203.0.113.9 192.0.2.1 51234 80\r\n" + GET_CLOSE).getBytes(StandardCharsets.ISO_8859_1));

        assertThat(response)
                .startsWith("HTTP/1.1 200")
                .contains("x-forwarded-for: 203.0.113.9\n", "x-real-ip: 203.0.113.9\n");
    }

    @Test
    void v1Header_keepAlive_everyRequestOfTheConnectionCarriesTheAddress() throws Exception {
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("PROXY TCP6 2001:db8::7 2001:db8::1 51234 443\r\n");
            String first = raw.send(GET).readResponse();
            String second = raw.send(GET).readResponse();

            assertThat(first).startsWith("HTTP/1.1 200").contains("x-real-ip: 2001:db8::7\n");
            assertThat(second).startsWith("HTTP/1.1 200").contains("x-forwarded-for: 2001:db8::7\n");
        }
    }

    @Test
    void v1Header_arrivingInPieces_isAssembled() throws Exception {
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.socket.setTcpNoDelay(true);
            raw.send("PROX")
                    .send("Y TCP4 203.0.113.10 ")
                    .send("192.0.2.1 51234 80\r")
                    .send("\n" + GET);

            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200").contains("x-real-ip: 203.0.113.10\n");
        }
    }

    @Test
    void v2Header_ipv4AndIpv6_clientAddressComesFromTheHeader() throws Exception {
        String v4 = exchange(fixture, concat(v2(1, 0x11, tcp("198.51.100.20", "192.0.2.1", 40000, 80)), GET_CLOSE));
        String v6 = exchange(fixture, concat(v2(1, 0x21, tcp("2001:db8::20", "2001:db8::1", 40000, 80)), GET_CLOSE));

        assertThat(v4).startsWith("HTTP/1.1 200").contains("x-real-ip: 198.51.100.20\n");
        assertThat(v6).startsWith("HTTP/1.1 200").contains("x-real-ip: 2001:db8::20\n");
    }

    @Test
    void v2Header_withTlvs_isAccepted() throws Exception {
        byte[] addresses = tcp("198.51.100.21", "192.0.2.1", 40000, 80);
        byte[] tlv = {(byte) 0xEA, 0x00, 0x03, 'v', 'p', 'c'}; // a vendor TLV, as AWS NLB sends one
        byte[] block = new byte[addresses.length + tlv.length];
        System.arraycopy(addresses, 0, block, 0, addresses.length);
        System.arraycopy(tlv, 0, block, addresses.length, tlv.length);

        assertThat(exchange(fixture, concat(v2(1, 0x11, block), GET_CLOSE)))
                .startsWith("HTTP/1.1 200")
                .contains("x-real-ip: 198.51.100.21\n");
    }

    @Test
    void localCommandOrUnknownFamily_healthChecksOfTheBalancer_useTheTcpPeer() throws Exception {
        String local = exchange(fixture, concat(v2(0, 0x00, new byte[0]), GET_CLOSE));
        String unknown = exchange(fixture, ("PROXY UNKNOWN\r\n" + GET_CLOSE).getBytes(StandardCharsets.ISO_8859_1));

        assertThat(local).startsWith("HTTP/1.1 200").contains("x-real-ip: 127.0.0.1\n");
        assertThat(unknown).startsWith("HTTP/1.1 200").contains("x-real-ip: 127.0.0.1\n");
    }

    @Test
    void missingOrGarbageHeader_closesTheConnection_andNothingReachesTheOrigin() throws Exception {
        int before = fixture.origins.get(0).requests.get();
        String plain = exchange(fixture, GET_CLOSE.getBytes(StandardCharsets.ISO_8859_1));
        String forged = exchange(
                fixture, ("PROXY TCP4 6.6.6.6 nonsense\r\n" + GET_CLOSE).getBytes(StandardCharsets.ISO_8859_1));
        byte[] badVersion = v2(1, 0x11, tcp("6.6.6.6", "192.0.2.1", 1, 80));
        badVersion[12] = 0x31; // version 3
        String binary = exchange(fixture, concat(badVersion, GET_CLOSE));

        assertThat(List.of(plain, forged, binary))
                .allSatisfy(response -> assertThat(response).doesNotContain("HTTP/1.1", "<<timeout>>"));
        assertThat(fixture.origins.get(0).requests.get()).isEqualTo(before);
    }

    @Test
    void noHeaderWithinTheRequestHeaderTimeout_closesTheConnection() throws Exception {
        try (RawHttp silent = new RawHttp(quick.proxy.httpPort());
                RawHttp partial = new RawHttp(quick.proxy.httpPort())) {
            partial.send("PROXY TCP4 203.0.1");

            // closed by Usher: end of stream (or a reset), never the client's 10 s read timeout
            assertThat(silent.readUntilClose()).isIn("", "<<reset>>");
            assertThat(partial.readUntilClose()).isIn("", "<<reset>>");
        }
    }

    @Test
    void https_headerBeforeTheClientHello_thenARealHandshake_clientAddressComesFromTheHeader() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", fixture.proxy.httpsPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(v2(1, 0x11, tcp("203.0.113.44", "192.0.2.1", 40000, 443)));

            String response = tlsGet(socket, "secure.test");

            assertThat(response)
                    .startsWith("HTTP/1.1 200")
                    .contains(
                            "x-real-ip: 203.0.113.44\n",
                            "x-forwarded-for: 203.0.113.44\n",
                            "x-forwarded-proto: https\n");
        }
    }

    @Test
    void https_clientHelloWithoutHeader_isClosed() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", fixture.proxy.httpsPort())) {
            socket.setSoTimeout(10_000);

            assertThatThrownBy(() -> tlsGet(socket, "secure.test")).isInstanceOf(IOException.class);
        }
    }

    @Test
    void headerFromATrustedBalancer_thenItsForwardedForChain_namesTheClient() throws Exception {
        String response = exchange(
                withTrustedLb,
                concat(
                        v2(1, 0x11, tcp("10.0.0.5", "10.0.0.1", 40000, 80)),
                        "GET /echo HTTP/1.1\r\nHost: app.test\r\nX-Forwarded-For: 203.0.113.9\r\n"
                                + "X-Forwarded-Proto: https\r\nConnection: close\r\n\r\n"));

        assertThat(response)
                .startsWith("HTTP/1.1 200")
                .contains(
                        "x-real-ip: 203.0.113.9\n",
                        "x-forwarded-for: 203.0.113.9, 10.0.0.5\n",
                        "x-forwarded-proto: https\n");
    }

    /** A TLS handshake with {@code host} as SNI over an already-open socket, then one GET; returns the response. */
    private static String tlsGet(Socket plain, String host) throws Exception {
        try (JdkTlsClient client = JdkTlsClient.over(plain, host)) {
            return client.sendAndReadToEnd("GET /echo HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
        }
    }
}
