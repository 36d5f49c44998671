package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.k8s.MockApiServer;
import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.DefaultCertificate;
import dev.usher.tls.JdkTlsClient;
import dev.usher.tls.PemCertificates;
import dev.usher.tls.TlsCertificate;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code --default-ssl-certificate}: the named Secret is what a client without a matching host gets. */
final class DefaultSslCertificateTest {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    @TempDir
    Path manifests;

    @RegisterExtension
    final MockApiServer api = new MockApiServer();

    final KubernetesClient client = api.client();

    private static TlsCertificate generate(String host) {
        return CertificateGenerator.forHosts(host).generate("shop/wildcard");
    }

    private static Secret secret(TlsCertificate certificate) {
        return new SecretBuilder()
                .withNewMetadata()
                .withName("wildcard")
                .withNamespace("shop")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .addToData(
                        "tls.crt",
                        Base64.getEncoder().encodeToString(PemCertificates.certificatesPem(certificate.chain())))
                .addToData(
                        "tls.key",
                        Base64.getEncoder()
                                .encodeToString(PemCertificates.privateKeyPem(
                                        certificate.key(), PemCertificates.KeyFormat.PKCS8)))
                .build();
    }

    private void writeSecret(TlsCertificate certificate) throws Exception {
        Path file = manifests.resolve("secret.yaml");
        Path temporary = manifests.resolve(".secret.yaml.tmp");
        Files.writeString(temporary, SERIALIZATION.asYaml(secret(certificate)), StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static X509Certificate served(int port, String sni) throws Exception {
        try (JdkTlsClient client = JdkTlsClient.connect(port, sni)) {
            return client.peerLeaf();
        }
    }

    private Controller start(String defaultSslCertificate) throws Exception {
        return Controller.start(ControllerConfig.builder()
                .manifests(manifests)
                .bindAddress("127.0.0.1")
                .httpPort(0)
                .httpsPort(0)
                .adminPort(0)
                .defaultSslCertificate(defaultSslCertificate)
                .drainTimeout(Duration.ofSeconds(1))
                .build());
    }

    @Test
    void secretInTheFolder_isServedToClientsWithoutAMatchingCertificate() throws Exception {
        TlsCertificate wildcard = CertificateGenerator.forHosts("*.example.com").generate("shop/wildcard");
        String crt = Base64.getEncoder().encodeToString(PemCertificates.certificatesPem(wildcard.chain()));
        String key = Base64.getEncoder()
                .encodeToString(PemCertificates.privateKeyPem(wildcard.key(), PemCertificates.KeyFormat.PKCS8));
        Files.writeString(manifests.resolve("secret.yaml"), """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: wildcard
                  namespace: shop
                type: kubernetes.io/tls
                data:
                  tls.crt: %s
                  tls.key: %s
                """.formatted(crt, key), StandardCharsets.UTF_8);

        try (Controller controller = start("shop/wildcard")) {
            X509Certificate served = served(controller.httpsPort(), "anything.example.com");

            assertThat(served).isEqualTo(wildcard.chain().get(0));
        }
    }

    @Test
    void changedSecretInTheFolder_isServedToNewHandshakes_withoutARestart() throws Exception {
        TlsCertificate before = generate("*.example.com");
        TlsCertificate after = generate("*.example.org");
        writeSecret(before);

        try (Controller controller = start("shop/wildcard")) {
            assertThat(served(controller.httpsPort(), "anything.example.com"))
                    .isEqualTo(before.chain().get(0));

            writeSecret(after);

            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(served(controller.httpsPort(), "anything.example.com"))
                            .isEqualTo(after.chain().get(0)));
        }
    }

    @Test
    void changedSecretInTheCluster_isServedToNewHandshakes_withoutARestart() throws Exception {
        TlsCertificate before = generate("*.example.com");
        TlsCertificate after = generate("*.example.org");
        client.secrets().inNamespace("shop").resource(secret(before)).create();

        try (Controller controller = Controller.start(
                ControllerConfig.builder()
                        .bindAddress("127.0.0.1")
                        .httpPort(0)
                        .httpsPort(0)
                        .adminPort(0)
                        .defaultSslCertificate("shop/wildcard")
                        .drainTimeout(Duration.ofSeconds(1))
                        .build(),
                () -> client)) {
            assertThat(served(controller.httpsPort(), "anything.example.com"))
                    .isEqualTo(before.chain().get(0));
            await().atMost(Duration.ofSeconds(60)).until(controller::ready);

            client.secrets().inNamespace("shop").resource(secret(after)).update();

            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(served(controller.httpsPort(), "anything.example.com"))
                            .isEqualTo(after.chain().get(0)));
        }
    }

    @Test
    void missingSecret_fallsBackToTheGeneratedCertificate() throws Exception {
        try (Controller controller = start("shop/missing")) {
            X509Certificate served = served(controller.httpsPort(), "anything.example.com");

            assertThat(served.getSubjectX500Principal().getName()).contains(DefaultCertificate.COMMON_NAME);
        }
    }
}
