package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.tls.DefaultCertificate;
import dev.usher.tls.JdkTlsClient;
import dev.usher.tls.TlsCertificate;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.AsyncMapping;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The HTTPS listener picks its certificate by SNI and proxies like the plain one, marked as https. */
final class HttpsListenerTest {

    @Test
    void https_withSni_proxiesAndMarksForwardedProtoHttps_andDoesNotRedirect() throws Exception {
        // The project's self-signed default certificate (usher-tls): Netty's SelfSignedCertificate is deprecated.
        TlsCertificate cert = DefaultCertificate.generate();
        SslContext context =
                SslContextBuilder.forServer(cert.key(), cert.chain()).build();
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        AsyncMapping<String, SslContext> sni = (host, promise) -> {
            asked.add(String.valueOf(host));
            return promise.setSuccess(context);
        };
        try (ProxyFixture fixture = new ProxyFixture(1, ProxySettings.defaults(), b -> b.https(0, sni))) {
            String response = tlsGet(fixture.proxy.httpsPort(), "secure.test", "/login");

            assertThat(asked).containsExactly("secure.test");
            assertThat(response).startsWith("HTTP/1.1 200").contains("x-forwarded-proto: https", "uri=/login");
        }
    }

    @Test
    void hsts_isAddedToHttpsResponsesOnly_whenConfigured() throws Exception {
        TlsCertificate cert = DefaultCertificate.generate();
        SslContext context =
                SslContextBuilder.forServer(cert.key(), cert.chain()).build();
        AsyncMapping<String, SslContext> sni = (host, promise) -> promise.setSuccess(context);
        ProxySettings settings = ProxySettings.builder()
                .hsts("max-age=31536000; includeSubDomains")
                .build();
        try (ProxyFixture fixture = new ProxyFixture(1, settings, b -> b.https(0, sni))) {
            String https = tlsGet(fixture.proxy.httpsPort(), "secure.test", "/");
            String http;
            try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
                http = raw.send("GET / HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n")
                        .readUntilClose();
            }

            assertThat(https)
                    .startsWith("HTTP/1.1 200")
                    .contains("strict-transport-security: max-age=31536000; includeSubDomains");
            assertThat(http).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("strict-transport-security");
        }
    }

    private static String tlsGet(int port, String host, String path) throws Exception {
        try (JdkTlsClient client = JdkTlsClient.connect(port, host)) {
            return client.sendAndReadToEnd(
                    "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
        }
    }
}
