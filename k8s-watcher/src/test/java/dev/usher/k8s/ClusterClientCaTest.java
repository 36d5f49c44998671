package dev.usher.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.routing.ClientCertificateAuth;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.RoutingTable;
import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.CertificateStore;
import dev.usher.tls.PemCertificates;
import dev.usher.tls.TlsCertificate;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Base64;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The CA Secret of ingress-nginx's {@code auth-tls-secret}, followed in cluster mode (fabric8's mock API server, CRUD
 * mode): missing, the Ingress fails closed; created, its host asks for client certificates of that CA; rotated, the
 * new CA applies without a restart. A {@code kubernetes.io/tls} Secret with {@code ca.crt}, for the reason
 * {@code ClusterCaSecretTest} gives.
 */
final class ClusterClientCaTest {

    @RegisterExtension
    final ClusterHarness cluster = new ClusterHarness();

    private final KubernetesClient client = cluster.client;
    private final RoutingTable table = cluster.table;
    private final CertificateStore store = cluster.store;

    @Test
    void clientCaSecret_isWatched_missingFailsClosed_createdAndRotatedApplyLive() {
        Ingress ingress = KubeFixtures.ingress("default", "mtls", "a.example.com", "alpaca");
        ingress.getMetadata()
                .setAnnotations(Map.of("nginx.ingress.kubernetes.io/auth-tls-secret", "default/client-ca"));
        KubeFixtures.create(
                client,
                KubeFixtures.ourClass(),
                KubeFixtures.service("default", "alpaca"),
                KubeFixtures.slice("default", "alpaca", "10.0.0.1"),
                ingress);
        cluster.start(WatcherSettings.defaults());
        Supplier<String> state = () -> {
            RouteOptions options = table.current().route("a.example.com", "/").options();
            ClientCertificateAuth auth = options.clientCertificateAuth();
            return options.denied() != null
                    ? "denied"
                    : auth == null
                            ? "open"
                            : auth.cas().get(0).getSubjectX500Principal().getName()
                                    + (store.clientCertificateAuthorities("a.example.com")
                                                    .equals(auth.cas())
                                            ? " asked"
                                            : " not asked");
        };
        assertThat(Routes.awaitValue(state, "denied")).isEqualTo("denied");

        KubeFixtures.create(
                client, caSecret(CertificateGenerator.authority("First CA").generate("first")));
        assertThat(Routes.awaitValue(state, "CN=First CA asked")).isEqualTo("CN=First CA asked");

        KubeFixtures.create(
                client, caSecret(CertificateGenerator.authority("Second CA").generate("second")));
        assertThat(Routes.awaitValue(state, "CN=Second CA asked")).isEqualTo("CN=Second CA asked");
    }

    private static Secret caSecret(TlsCertificate ca) {
        TlsCertificate leaf = CertificateGenerator.forHosts("a.example.com").generate("leaf");
        Base64.Encoder b64 = Base64.getEncoder();
        return new SecretBuilder()
                .withNewMetadata()
                .withName("client-ca")
                .withNamespace("default")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .addToData("ca.crt", b64.encodeToString(PemCertificates.certificatesPem(ca.chain())))
                .addToData("tls.crt", b64.encodeToString(PemCertificates.certificatesPem(leaf.chain())))
                .addToData(
                        "tls.key",
                        b64.encodeToString(PemCertificates.privateKeyPem(leaf.key(), PemCertificates.KeyFormat.PKCS8)))
                .build();
    }
}
