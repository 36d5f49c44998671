package dev.usher.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code --kubeconfig} path is honoured, and a wrong one is a clear error. */
final class KubernetesClientsTest {

    @TempDir
    Path dir;

    @Test
    void connect_withAKubeconfigFile_usesItsServerAndNamespace() throws IOException {
        Path kubeconfig = Files.writeString(dir.resolve("config"), """
                apiVersion: v1
                kind: Config
                clusters:
                - name: test
                  cluster: {server: "https://127.0.0.1:6443"}
                users:
                - name: test
                  user: {token: abc}
                contexts:
                - name: test
                  context: {cluster: test, user: test, namespace: team-a}
                current-context: test
                """);
        try (KubernetesClient client = KubernetesClients.connect(kubeconfig)) {
            assertThat(client.getConfiguration().getMasterUrl()).startsWith("https://127.0.0.1:6443");
            assertThat(client.getNamespace()).isEqualTo("team-a");
        }
    }

    @Test
    void connect_withAMissingKubeconfig_saysWhich() {
        assertThatThrownBy(() -> KubernetesClients.connect(dir.resolve("nope")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nope");
    }
}
