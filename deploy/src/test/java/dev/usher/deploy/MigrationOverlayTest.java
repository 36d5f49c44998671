package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code deploy/kubernetes/overlays/ingress-nginx-migration}, rendered by {@code kubectl kustomize} as a user's
 * {@code kubectl apply -k} would, and the Deployment's arguments parsed by Usher's own command line: Usher beside
 * ingress-nginx on class {@code nginx}, never writing Ingress status, behind its own LoadBalancer.
 */
final class MigrationOverlayTest {

    private static final Path OVERLAY = Path.of("kubernetes", "overlays", "ingress-nginx-migration");

    private static List<HasMetadata> objects;

    @BeforeAll
    static void render() throws IOException, InterruptedException {
        objects = kustomize(OVERLAY);
    }

    static List<HasMetadata> kustomize(Path dir) throws IOException, InterruptedException {
        Path output = Files.createTempFile("kustomize", ".yaml");
        try {
            Process kubectl = new ProcessBuilder("kubectl", "kustomize", dir.toString())
                    .redirectOutput(output.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            assertThat(kubectl.waitFor(60, TimeUnit.SECONDS))
                    .as("kubectl kustomize finished")
                    .isTrue();
            assertThat(kubectl.exitValue()).as("kubectl kustomize %s", dir).isZero();
            Object parsed = new KubernetesSerialization().unmarshal(Files.readString(output, StandardCharsets.UTF_8));
            List<HasMetadata> all = new ArrayList<>();
            if (parsed instanceof List<?> list) {
                list.forEach(o -> all.add((HasMetadata) o));
            } else if (parsed instanceof KubernetesList list) {
                all.addAll(list.getItems());
            } else {
                all.add((HasMetadata) parsed);
            }
            return all;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static <T extends HasMetadata> List<T> all(Class<T> kind) {
        return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    private static RunCommand run() {
        List<Deployment> deployments = all(Deployment.class);
        assertThat(deployments).hasSize(1);
        List<String> args = deployments
                .get(0)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getArgs();
        CommandLine.ParseResult result = Main.commandLine().parseArgs(args.toArray(String[]::new));
        return (RunCommand) result.subcommand().commandSpec().userObject();
    }

    @Test
    void deployment_servesClassNginxOfIngressNginxsController_andNeverWritesStatus() {
        ControllerConfig config = run().config();
        assertThat(config.watcher().ingressClass()).isEqualTo("nginx");
        assertThat(config.watcher().controllerName()).isEqualTo("k8s.io/ingress-nginx");
        assertThat(config.status())
                .as("--no-update-status: ingress-nginx's address stays in the status")
                .isNull();
        assertThat(config.manifests()).as("cluster mode").isNull();
    }

    @Test
    void deployment_keepsTheBasesListenersAndShutdownSettings() throws Exception {
        ControllerConfig config = run().config();
        List<HasMetadata> base = kustomize(Path.of("kubernetes", "base"));
        Deployment baseDeployment = base.stream()
                .filter(Deployment.class::isInstance)
                .map(Deployment.class::cast)
                .findFirst()
                .orElseThrow();
        List<String> baseArgs = baseDeployment
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getArgs();
        List<String> args = all(Deployment.class)
                .get(0)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getArgs();
        assertThat(args).startsWith(baseArgs.toArray(String[]::new)).hasSize(baseArgs.size() + 3);
        assertThat(config.httpPort()).isEqualTo(8080);
    }

    @Test
    void ownLoadBalancerService_andNoIngressClassOfItsOwn() {
        List<Service> services = all(Service.class);
        assertThat(services).singleElement().satisfies(service -> {
            assertThat(service.getSpec().getType()).isEqualTo("LoadBalancer");
            assertThat(service.getMetadata().getNamespace()).isEqualTo("usher-system");
            assertThat(service.getSpec().getSelector())
                    .isEqualTo(
                            all(Deployment.class).get(0).getSpec().getSelector().getMatchLabels());
        });
        assertThat(all(IngressClass.class))
                .as("class nginx is ingress-nginx's object; no usher class needed")
                .isEmpty();
    }

    @Test
    void topLevelKustomization_stillInstallsTheWholeBase() throws Exception {
        List<HasMetadata> top = kustomize(Path.of("kubernetes"));
        assertThat(top)
                .extracting(HasMetadata::getKind)
                .contains("Namespace", "Deployment", "Service", "IngressClass", "ClusterRole");
    }
}
