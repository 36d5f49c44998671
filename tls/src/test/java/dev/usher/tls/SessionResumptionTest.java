package dev.usher.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * TLS session resumption on BoringSSL, with real handshakes: a client that comes back within the session timeout
 * resumes (no certificate, no signature), on TLS 1.3 and 1.2; a resumed session of a context that asks for client
 * certificates still has the client's certificate, which requests are judged by; and a session of one context does
 * not resume in another.
 */
final class SessionResumptionTest {

    private static final TlsCertificate A =
            CertificateGenerator.forHosts("a.example.com").generate("ns/a");
    private static final TlsCertificate B =
            CertificateGenerator.forHosts("b.example.com").generate("ns/b");

    private SniServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void serve(SslContext context) throws InterruptedException {
        server = SniServer.start((host, promise) -> promise.setSuccess(context));
    }

    /** Two connections in a row from one client context: whether the second one resumed. */
    private boolean secondResumes(SslContext client, String sni) throws Exception {
        try (NettyTlsClient first = NettyTlsClient.connect(client, server.port(), sni)) {
            assertThat(first.handshake()).isNull();
            assertThat(first.resumed()).isFalse();
            assertThat(first.echo("one")).isEqualTo("one"); // the session ticket, if any, came before the echo
        }
        try (NettyTlsClient second = NettyTlsClient.connect(client, server.port(), sni)) {
            assertThat(second.handshake()).isNull();
            assertThat(second.echo("two")).isEqualTo("two");
            return second.resumed();
        }
    }

    @Test
    void clientComingBack_resumesItsSession_onTls13AndTls12() throws Exception {
        assumeTrue(OpenSsl.isAvailable(), "BoringSSL from netty-tcnative");
        serve(ServerContexts.build(A, SslProvider.OPENSSL));

        assertThat(secondResumes(NettyTlsClient.context("TLSv1.3"), "a.example.com"))
                .isTrue();
        assertThat(secondResumes(NettyTlsClient.context("TLSv1.2"), "a.example.com"))
                .isTrue();
    }

    @Test
    void resumedSessionOfAContextAskingForClientCertificates_stillCarriesTheCertificate() throws Exception {
        assumeTrue(OpenSsl.isAvailable(), "BoringSSL from netty-tcnative");
        TlsCertificate ca = CertificateGenerator.authority("Test CA").generate("ns/ca");
        TlsCertificate alice = CertificateGenerator.client("alice").issuedBy(ca).generate("ns/alice");
        serve(ServerContexts.build(A, List.of(ca.leaf()), SslProvider.OPENSSL));
        SSLContext client = JdkTlsClient.clientCertificateContext(alice); // one context: it resumes its sessions

        for (int i = 0; i < 3; i++) {
            try (JdkTlsClient connection = JdkTlsClient.connect(server.port(), "a.example.com", client)) {
                assertThat(connection.echo("hello")).isEqualTo("hello");
            }
        }

        assertThat(server.resumptions()).as("full handshake, then resumed").containsExactly(false, true, true);
        assertThat(server.clientCertificates())
                .as("the certificate is in the resumed sessions too, for the per-request check")
                .hasSize(3)
                .containsOnly("CN=alice");
    }

    @Test
    void ticketOfOneContext_doesNotResumeInAnother() throws Exception {
        assumeTrue(OpenSsl.isAvailable(), "BoringSSL from netty-tcnative");
        SslContext client = NettyTlsClient.context("TLSv1.3");
        AtomicReference<SslContext> current = new AtomicReference<>(contextOf(A));
        server = SniServer.start((host, promise) -> promise.setSuccess(current.get()));
        try (NettyTlsClient first = NettyTlsClient.connect(client, server.port(), "a.example.com")) {
            assertThat(first.handshake()).isNull();
            assertThat(first.echo("one")).isEqualTo("one");
        }
        // the same port and host name: the client offers its ticket, but another context cannot open it (as after a
        // certificate change, or another certificate's host)
        current.set(contextOf(B));
        try (NettyTlsClient second = NettyTlsClient.connect(client, server.port(), "a.example.com")) {
            assertThat(second.handshake()).isNull();
            assertThat(second.echo("two")).isEqualTo("two");
            assertThat(second.resumed()).isFalse();
        }
        current.set(contextOf(A)); // a new context for the same certificate: new keys too
        try (NettyTlsClient third = NettyTlsClient.connect(client, server.port(), "a.example.com")) {
            assertThat(third.handshake()).isNull();
            assertThat(third.echo("three")).isEqualTo("three");
            assertThat(third.resumed()).isFalse();
        }
    }

    private static SslContext contextOf(TlsCertificate certificate) {
        try {
            return ServerContexts.build(certificate, SslProvider.OPENSSL);
        } catch (javax.net.ssl.SSLException e) {
            throw new IllegalStateException(e);
        }
    }
}
