package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.tls.DefaultCertificate;
import dev.usher.tls.TlsCertificate;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.AsyncMapping;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;

/** The HTTPS listener picks its certificate by SNI and proxies like the plain one, marked as https. */
final class HttpsListenerTest {

    @Test
    void https_withSni_proxiesAndMarksForwardedProtoHttps_andDoesNotRedirect() throws Exception {
        // The project's self-signed default certificate (usher-tls): Netty's SelfSignedCertificate is deprecated.
        TlsCertificate cert = DefaultCertificate.generate();
        SslContext context = SslContextBuilder.forServer(cert.key(), cert.chain()).build();
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
        SslContext context = SslContextBuilder.forServer(cert.key(), cert.chain()).build();
        AsyncMapping<String, SslContext> sni = (host, promise) -> promise.setSuccess(context);
        ProxySettings settings = ProxySettings.builder().hsts("max-age=31536000; includeSubDomains").build();
        try (ProxyFixture fixture = new ProxyFixture(1, settings, b -> b.https(0, sni))) {
            String https = tlsGet(fixture.proxy.httpsPort(), "secure.test", "/");
            String http;
            try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
                http = raw.send("GET / HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n").readUntilClose();
            }

            assertThat(https).startsWith("HTTP/1.1 200")
                    .contains("strict-transport-security: max-age=31536000; includeSubDomains");
            assertThat(http).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("strict-transport-security");
        }
    }

    private static String tlsGet(int port, String host, String path) throws Exception {
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, new TrustManager[] {new TrustAll()}, null);
        try (SSLSocket socket = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            SSLParameters params = socket.getSSLParameters();
            params.setServerNames(List.of(new SNIHostName(host)));
            socket.setSSLParameters(params);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** Test-only: the certificate is self-signed; the test checks routing, not trust. */
    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
