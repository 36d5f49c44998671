package dev.usher.k8s;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Connects to the API server the way kubectl finds it, for {@code usher run} in cluster mode. */
public final class KubernetesClients {

    private KubernetesClients() {}

    /**
     * A client for {@code kubeconfig} ({@code --kubeconfig}) when given, else as kubectl would: {@code KUBECONFIG},
     * {@code ~/.kube/config}, or the in-cluster service account. The caller closes it.
     *
     * @throws IllegalArgumentException if {@code kubeconfig} is given but is not a readable file
     */
    public static KubernetesClient connect(Path kubeconfig) {
        if (kubeconfig == null) {
            return new KubernetesClientBuilder().build();
        }
        if (!Files.isReadable(kubeconfig)) {
            throw new IllegalArgumentException("kubeconfig " + kubeconfig + " is not a readable file");
        }
        return new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(kubeconfig.toFile()))
                .build();
    }
}
