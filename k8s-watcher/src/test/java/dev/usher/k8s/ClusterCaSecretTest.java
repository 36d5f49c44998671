package dev.usher.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.routing.BackendProtocol;
import dev.usher.routing.RoutingTable;
import dev.usher.routing.Upstream;
import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.PemCertificates;
import dev.usher.tls.TlsCertificate;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A CA Secret for TLS to origins, followed in cluster mode (fabric8's mock API server, CRUD mode): missing, the
 * Ingress's TLS backend is refused (503); created, it is verified against; broken again, refused again.
 *
 * <p>The Secret here is a {@code kubernetes.io/tls} one with {@code ca.crt} (cert-manager's shape): the mock server
 * answers a {@code type=Opaque} field selector with nothing (it does not index Secret types, and ignores the
 * {@code kubernetes.io/tls} one), so the Opaque informer cannot be driven through it; {@code ClusterCacheTest} pins that
 * a referenced Opaque Secret rebuilds.
 */
final class ClusterCaSecretTest {

    @RegisterExtension
    final ClusterHarness cluster = new ClusterHarness();

    private final KubernetesClient client = cluster.client;
    private final RoutingTable table = cluster.table;

    @Test
    void caSecretIsWatched_missingRefuses_createdVerifies_brokenRefusesAgain() {
        Ingress ingress = KubeFixtures.ingress("default", "secure", "a.example.com", "alpaca");
        ingress.getMetadata()
                .setAnnotations(
                        Map.of("usher.dev/backend-protocol", "https", "usher.dev/backend-ca-secret", "origin-ca"));
        KubeFixtures.create(
                client,
                KubeFixtures.ourClass(),
                KubeFixtures.service("default", "alpaca"),
                KubeFixtures.slice("default", "alpaca", "10.0.0.1"),
                ingress);
        cluster.start(WatcherSettings.defaults());
        Supplier<String> state = () -> {
            Upstream upstream = table.current().route("a.example.com", "/").upstream();
            return upstream.protocol() != BackendProtocol.HTTPS
                    ? "not https"
                    : upstream.refusal() != null ? "refused" : upstream.tls().verify() ? "verified" : "unverified";
        };
        assertThat(Routes.awaitValue(state, "refused")).isEqualTo("refused");

        TlsCertificate ca = CertificateGenerator.authority("Cluster CA").generate("ca");
        KubeFixtures.create(
                client, caSecret(new String(PemCertificates.certificatesPem(ca.chain()), StandardCharsets.US_ASCII)));
        assertThat(Routes.awaitValue(state, "verified")).isEqualTo("verified");
        assertThat(table.current().route("a.example.com", "/").upstream().tls().trusted())
                .containsExactly(ca.leaf());

        KubeFixtures.create(client, caSecret("not a certificate"));
        assertThat(Routes.awaitValue(state, "refused")).isEqualTo("refused");
    }

    private static Secret caSecret(String pem) {
        TlsCertificate leaf =
                CertificateGenerator.forHosts("alpaca.default.svc").generate("leaf");
        Base64.Encoder b64 = Base64.getEncoder();
        return new SecretBuilder()
                .withNewMetadata()
                .withName("origin-ca")
                .withNamespace("default")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .addToData("ca.crt", b64.encodeToString(pem.getBytes(StandardCharsets.US_ASCII)))
                .addToData("tls.crt", b64.encodeToString(PemCertificates.certificatesPem(leaf.chain())))
                .addToData(
                        "tls.key",
                        b64.encodeToString(PemCertificates.privateKeyPem(leaf.key(), PemCertificates.KeyFormat.PKCS8)))
                .build();
    }
}
