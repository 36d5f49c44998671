package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import dev.usher.routing.ClientCertificateAuth;
import dev.usher.routing.ClientCertificateAuth.Verify;
import dev.usher.routing.RouteOptions;
import dev.usher.tls.CaCertificates;
import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.CertificateStore;
import dev.usher.tls.DefaultCertificate;
import dev.usher.tls.JdkTlsClient;
import dev.usher.tls.PemCertificates;
import dev.usher.tls.TlsCertificate;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ingress-nginx's client-certificate authentication on real TLS connections: the proxy judges the certificate of the
 * connection's session per request (400 without or with a foreign one under {@code on}, the modes' differences, the
 * error page's 302, 403 for {@code auth-tls-match-cn}), tells the origin what it found in {@code ssl-client-*} fields
 * no client can forge, and refuses (421) a request whose TLS server name was another host's.
 */
final class ClientCertificateTest {

    private static final TlsCertificate CA =
            CertificateGenerator.authority("Client CA").generate("ns/ca");
    private static final TlsCertificate OTHER_CA =
            CertificateGenerator.authority("Other CA").generate("ns/other");
    private static final TlsCertificate CLIENT =
            CertificateGenerator.client("alice").issuedBy(CA).generate("alice");
    private static final TlsCertificate STRANGER =
            CertificateGenerator.client("mallory").issuedBy(OTHER_CA).generate("mallory");
    private static final String ERROR_PAGE = "https://errors.example/client-certificate";

    private static OptionsFixture fixture;

    private static ClientCertificateAuth auth(
            Verify verify, boolean pass, @Nullable String errorPage, @Nullable String cn) {
        return new ClientCertificateAuth(
                verify,
                List.of(CA.leaf()),
                List.of(),
                CaCertificates.digest(List.of(CA.leaf())),
                1,
                pass,
                errorPage,
                cn == null ? null : Pattern.compile(cn));
    }

    @BeforeAll
    static void start() {
        Map<String, RouteOptions> hosts = new LinkedHashMap<>();
        hosts.put(
                "on.test",
                RouteOptions.builder()
                        .clientCertificateAuth(auth(Verify.ON, true, null, null))
                        .build());
        hosts.put(
                "optional.test",
                RouteOptions.builder()
                        .clientCertificateAuth(auth(Verify.OPTIONAL, false, null, null))
                        .build());
        hosts.put(
                "noca.test",
                RouteOptions.builder()
                        .clientCertificateAuth(auth(Verify.OPTIONAL_NO_CA, false, null, null))
                        .build());
        hosts.put(
                "page.test",
                RouteOptions.builder()
                        .clientCertificateAuth(auth(Verify.ON, false, ERROR_PAGE, null))
                        .build());
        hosts.put(
                "cn.test",
                RouteOptions.builder()
                        .clientCertificateAuth(auth(Verify.ON, false, null, "CN=(bob|carol)"))
                        .build());
        hosts.put("plain.test", RouteOptions.DEFAULT);
        CertificateStore store = CertificateStore.create(DefaultCertificate.generate());
        Map<String, List<X509Certificate>> clientCas = new LinkedHashMap<>();
        hosts.keySet().stream().filter(h -> !h.equals("plain.test")).forEach(h -> clientCas.put(h, List.of(CA.leaf())));
        store.publish(Map.of(), store.defaultCertificate(), clientCas);
        fixture = new OptionsFixture(ProxySettings.defaults(), hosts, System::nanoTime, b -> b.https(0, store));
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static String get(String sni, String host, @Nullable TlsCertificate client, String... headers)
            throws Exception {
        SSLContext context =
                client == null ? JdkTlsClient.trustAllContext() : JdkTlsClient.clientCertificateContext(client);
        StringBuilder request = new StringBuilder("GET /echo HTTP/1.1\r\nHost: " + host + "\r\n");
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        try (JdkTlsClient tls = JdkTlsClient.connect(fixture.proxy.httpsPort(), sni, context)) {
            return tls.sendAndReadToEnd(
                    request.append("Connection: close\r\n\r\n").toString());
        }
    }

    @Test
    void on_withoutCertificate_is400_andTheOriginSeesNothing() throws Exception {
        String response = get("on.test", "on.test", null, "X-Probe: on-none");

        assertThat(response).startsWith("HTTP/1.1 400").contains("No required SSL certificate was sent");
        assertThat(fixture.origin.seen)
                .noneMatch(r -> "on-none".equals(r.headers().get("X-Probe")));
    }

    @Test
    void on_withACertificateOfTheCa_passes_andTheOriginLearnsWhoAndTheCertificate() throws Exception {
        String response = get("on.test", "on.test", CLIENT);

        assertThat(response)
                .startsWith("HTTP/1.1 200")
                .contains("ssl-client-verify: SUCCESS", "ssl-client-subject-dn: CN=alice")
                .contains("ssl-client-issuer-dn: CN=Client CA");
        String escaped = line(response, "ssl-client-cert: ");
        assertThat(escaped).startsWith("-----BEGIN%20CERTIFICATE-----%0A").doesNotContain(" ", "/", "+", "=");
        String pem = URLDecoder.decode(escaped, StandardCharsets.UTF_8);
        byte[] der = Base64.getMimeDecoder()
                .decode(pem.replace("-----BEGIN CERTIFICATE-----", "").replace("-----END CERTIFICATE-----", ""));
        assertThat(der).isEqualTo(CLIENT.leaf().getEncoded());
    }

    @Test
    void on_withACertificateOfAnotherCa_is400() throws Exception {
        assertThat(get("on.test", "on.test", STRANGER))
                .startsWith("HTTP/1.1 400")
                .contains("The SSL certificate error");
    }

    @Test
    void optional_passesWithoutCertificate_butNotWithAForeignOne() throws Exception {
        assertThat(get("optional.test", "optional.test", null))
                .startsWith("HTTP/1.1 200")
                .contains("ssl-client-verify: NONE")
                .doesNotContain("ssl-client-subject-dn");
        assertThat(get("optional.test", "optional.test", CLIENT))
                .startsWith("HTTP/1.1 200")
                .contains("ssl-client-verify: SUCCESS");
        assertThat(get("optional.test", "optional.test", STRANGER)).startsWith("HTTP/1.1 400");
    }

    @Test
    void optionalNoCa_passesAForeignCertificate_andReportsTheFailure() throws Exception {
        assertThat(get("noca.test", "noca.test", STRANGER))
                .startsWith("HTTP/1.1 200")
                .contains("ssl-client-verify: FAILED:unable to get local issuer certificate")
                .contains("ssl-client-subject-dn: CN=mallory")
                .doesNotContain("ssl-client-cert:");
    }

    @Test
    void errorPage_redirectsARefusedClient() throws Exception {
        assertThat(get("page.test", "page.test", null))
                .startsWith("HTTP/1.1 302")
                .contains("location: " + ERROR_PAGE);
        assertThat(get("page.test", "page.test", STRANGER)).startsWith("HTTP/1.1 302");
        assertThat(get("page.test", "page.test", CLIENT)).startsWith("HTTP/1.1 200");
    }

    @Test
    void matchCn_refusesAValidCertificateWithAnotherSubject() throws Exception {
        assertThat(get("cn.test", "cn.test", CLIENT)).startsWith("HTTP/1.1 403");
    }

    @Test
    void sslClientFields_sentByTheClient_neverReachTheOrigin() throws Exception {
        String[] forged = {
            "ssl-client-verify: SUCCESS",
            "ssl-client-subject-dn: CN=admin",
            "SSL-Client-Issuer-DN: CN=Client CA",
            "ssl-client-cert: forged"
        };

        String plain = get("plain.test", "plain.test", null, forged);
        String optional = get("optional.test", "optional.test", null, forged);

        assertThat(plain).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("ssl-client");
        assertThat(optional)
                .startsWith("HTTP/1.1 200")
                .contains("ssl-client-verify: NONE")
                .doesNotContain("SUCCESS", "CN=admin", "forged", "issuer-dn");
    }

    @Test
    void aConnectionToken_cannotTakeAwayWhatTheHandshakeSaid() throws Exception {
        String optional = get("optional.test", "optional.test", null, "Connection: keep-alive, ssl-client-verify");

        assertThat(optional).startsWith("HTTP/1.1 200").contains("ssl-client-verify: NONE");
    }

    @Test
    void aConnectionMadeForAnotherHost_is421_evenWithAValidCertificate() throws Exception {
        assertThat(get("plain.test", "on.test", CLIENT)).startsWith("HTTP/1.1 421");
        assertThat(get("optional.test", "on.test", CLIENT)).startsWith("HTTP/1.1 421");
        // the other way round is harmless: plain.test asks nothing of its clients
        assertThat(get("on.test", "plain.test", CLIENT)).startsWith("HTTP/1.1 200");
        // a port and a different case name the same host
        assertThat(get("on.test", "ON.test:443", CLIENT)).startsWith("HTTP/1.1 200");
    }

    @Test
    void plainHttp_offersNoCertificate() throws Exception {
        assertThat(fixture.get("on.test", "/echo").statusCode()).isEqualTo(400);
        assertThat(fixture.get("optional.test", "/echo").body()).contains("ssl-client-verify: NONE");
    }

    @Test
    void http2Streams_areJudgedByTheirConnectionsCertificate(@TempDir Path folder) throws Exception {
        Path cert = Files.write(folder.resolve("alice.crt"), PemCertificates.certificatesPem(CLIENT.chain()));
        Path key = Files.write(
                folder.resolve("alice.key"),
                PemCertificates.privateKeyPem(CLIENT.key(), PemCertificates.KeyFormat.PKCS8));
        int port = fixture.proxy.httpsPort();
        String resolve = "on.test:" + port + ":127.0.0.1";
        String url = "https://on.test:" + port + "/echo";

        String with = Http2ListenersTest.curl(
                "--http2", "-k", "--resolve", resolve, "--cert", cert.toString(), "--key", key.toString(), url);
        String without = Http2ListenersTest.curl("--http2", "-k", "--resolve", resolve, url);

        assertThat(with).startsWith("HTTP/2 200").contains("ssl-client-subject-dn: CN=alice");
        assertThat(without).startsWith("HTTP/2 400");
    }

    private static String line(String response, String prefix) {
        int start = response.indexOf(prefix);
        assertThat(start).as(prefix).isNotNegative();
        int end = response.indexOf('\n', start);
        return response.substring(start + prefix.length(), end).strip();
    }
}
