package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.k8s.MockApiServer;
import dev.usher.k8s.StatusOptions;
import dev.usher.k8s.translate.WatcherSettings;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * Reads every manifest under {@code deploy/kubernetes/base} and checks it against the code: the RBAC rules cover every
 * call the controller makes (recorded on fabric8's mock API server while it runs from the Deployment's own args),
 * probes and ports match the admin server and listeners, and the IngressClass names the default controller.
 */
final class KubernetesManifestsTest {

    private static final Path DIR = Path.of("kubernetes", "base");
    private static final Pattern CORE =
            Pattern.compile("/api/v1(?:/namespaces/([^/]+))?/([^/]+)(?:/([^/]+))?(?:/([^/]+))?");
    private static final Pattern GROUPED =
            Pattern.compile("/apis/([^/]+)/[^/]+(?:/namespaces/([^/]+))?/([^/]+)(?:/([^/]+))?(?:/([^/]+))?");

    private static List<HasMetadata> objects;

    @RegisterExtension
    final MockApiServer api = new MockApiServer();

    final KubernetesClient client = api.client();
    final KubernetesMockServer server = api.server();

    @BeforeAll
    static void load() throws IOException {
        KubernetesSerialization serialization = new KubernetesSerialization();
        objects = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                if (file.getFileName().toString().equals("kustomization.yaml")) {
                    continue;
                }
                for (String document : Files.readString(file).split("(?m)^---\\s*$")) {
                    if (!document.isBlank()) {
                        objects.add(serialization.unmarshal(document, HasMetadata.class));
                    }
                }
            }
        }
    }

    private static <T extends HasMetadata> T only(Class<T> kind) {
        List<T> found =
                objects.stream().filter(kind::isInstance).map(kind::cast).toList();
        assertThat(found).as("one %s in %s", kind.getSimpleName(), DIR).hasSize(1);
        return found.get(0);
    }

    private static Container container() {
        Deployment deployment = only(Deployment.class);
        assertThat(deployment.getSpec().getTemplate().getSpec().getContainers()).hasSize(1);
        return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static RunCommand deploymentArgs() {
        CommandLine.ParseResult result =
                Main.commandLine().parseArgs(container().getArgs().toArray(String[]::new));
        assertThat(result.subcommand()).as("the Deployment runs `usher run`").isNotNull();
        return (RunCommand) result.subcommand().commandSpec().userObject();
    }

    @Test
    void kustomization_listsEveryManifestInTheFolder() throws IOException {
        String kustomization = Files.readString(DIR.resolve("kustomization.yaml"));
        try (Stream<Path> files = Files.list(DIR)) {
            files.map(f -> f.getFileName().toString())
                    .filter(name -> name.endsWith(".yaml") && !name.equals("kustomization.yaml"))
                    .forEach(name -> assertThat(kustomization).contains("- " + name));
        }
    }

    @Test
    void ingressClass_namesTheDefaultControllerName() {
        IngressClass ingressClass = only(IngressClass.class);
        assertThat(ingressClass.getMetadata().getName()).isEqualTo(WatcherSettings.DEFAULT_INGRESS_CLASS);
        assertThat(ingressClass.getSpec().getController()).isEqualTo(WatcherSettings.DEFAULT_CONTROLLER_NAME);
    }

    @Test
    void deployment_probesAndPorts_matchTheListenersAndTheAdminServer() {
        RunCommand run = deploymentArgs();
        ControllerConfig config = run.config();
        Map<String, Integer> ports = container().getPorts().stream()
                .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
        assertThat(ports)
                .containsEntry("http", config.httpPort())
                .containsEntry("https", config.httpsPort())
                .containsEntry("admin", config.adminPort());
        assertThat(container().getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(container().getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(container().getLivenessProbe().getHttpGet().getPort()).isEqualTo(new IntOrString("admin"));
        assertThat(container().getReadinessProbe().getHttpGet().getPort()).isEqualTo(new IntOrString("admin"));
        assertThat(config.manifests()).as("cluster mode").isNull();
        assertThat(config.status()).as("status is written").isNotNull();
    }

    @Test
    void deployment_warmsUpBeforeServing_andTheStartupProbeLeavesRoomForIt() {
        Probe startup = container().getStartupProbe();
        assertThat(deploymentArgs().warmupRounds).as("--warmup-rounds").isPositive();
        assertThat(startup.getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(startup.getHttpGet().getPort()).isEqualTo(new IntOrString("admin"));
        assertThat((long) startup.getPeriodSeconds() * startup.getFailureThreshold())
                .as("seconds a start and its warm-up get before the kubelet restarts the container")
                .isGreaterThanOrEqualTo(60);
    }

    @Test
    void deployment_gracePeriodAndReadinessProbe_fitTheShutdownDelayAndDrain() {
        ControllerConfig config = deploymentArgs().config();
        Probe readiness = container().getReadinessProbe();
        long notReadyWithin =
                (long) readiness.getPeriodSeconds() * readiness.getFailureThreshold() + readiness.getTimeoutSeconds();
        long grace = only(Deployment.class).getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();

        assertThat(config.shutdownDelay())
                .as("a delay to leave the endpoints in")
                .isPositive();
        assertThat(notReadyWithin)
                .as("the probe marks the pod not ready before the delay ends")
                .isLessThan(config.shutdownDelay().toSeconds());
        assertThat(grace)
                .as("SIGKILL comes only after delay + drain + a margin")
                .isGreaterThanOrEqualTo(
                        config.shutdownDelay().plus(config.drainTimeout()).toSeconds() + 5);
        assertThat(container().getLifecycle())
                .as("no preStop sleep: the shutdown delay does its job")
                .isNull();
    }

    @Test
    void deployment_runsHardenedWithTwoReplicasAndLimits() {
        Deployment deployment = only(Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        assertThat(deployment
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getSecurityContext()
                        .getRunAsNonRoot())
                .isTrue();
        assertThat(container().getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container().getSecurityContext().getAllowPrivilegeEscalation())
                .isFalse();
        assertThat(container().getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(container().getResources().getLimits()).containsKeys("cpu", "memory");
        assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo(only(io.fabric8.kubernetes.api.model.ServiceAccount.class)
                        .getMetadata()
                        .getName());
    }

    @Test
    void service_isALoadBalancerKeepingClientAddresses() {
        Service service = only(Service.class);
        assertThat(service.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(service.getSpec().getExternalTrafficPolicy()).isEqualTo("Local");
        Map<Integer, IntOrString> ports = service.getSpec().getPorts().stream()
                .collect(Collectors.toMap(p -> p.getPort(), p -> p.getTargetPort()));
        assertThat(ports).containsEntry(80, new IntOrString("http")).containsEntry(443, new IntOrString("https"));
        assertThat(service.getSpec().getSelector())
                .isEqualTo(only(Deployment.class).getSpec().getSelector().getMatchLabels());
        String publish = deploymentArgs().config().status().publishService();
        assertThat(publish)
                .isEqualTo(service.getMetadata().getNamespace() + "/"
                        + service.getMetadata().getName());
    }

    @Test
    void rbac_coversEveryCallTheControllerMakes() throws Exception {
        ControllerConfig fromDeployment = deploymentArgs().config();
        String podNamespace = only(Deployment.class).getMetadata().getNamespace();
        StatusOptions status = new StatusOptions(
                fromDeployment.status().publishService(),
                List.of(),
                podNamespace,
                fromDeployment.status().electionId(),
                "usher-0");
        ControllerConfig config = ControllerConfig.builder()
                .bindAddress("127.0.0.1")
                .httpPort(0)
                .httpsPort(0)
                .adminPort(0)
                .watchNamespace(fromDeployment.watchNamespace())
                .status(status)
                .watcher(fromDeployment.watcher())
                .proxy(fromDeployment.proxy())
                .nodeName("node-1")
                .drainTimeout(Duration.ofSeconds(1))
                .build();
        assertThat(container().getEnv())
                .as("the zone lookup's node name")
                .anyMatch(e -> e.getName().equals("NODE_NAME")
                        && e.getValueFrom().getFieldRef().getFieldPath().equals("spec.nodeName"));
        createCluster();
        recordedCalls(); // the set-up's own requests; from here on every request is the controller's

        try (Controller controller = Controller.start(config, () -> client)) {
            awaitStatusAddress();
            assertThat(controller.ready()).isTrue();
        }

        Set<String> calls = recordedCalls();
        assertThat(calls).as("calls recorded").anyMatch(c -> c.startsWith("watch "));
        assertThat(calls).as("status written").anyMatch(c -> c.contains("ingresses/status"));
        assertThat(calls).as("zone read from the node").anyMatch(c -> c.contains("nodes"));
        assertThat(calls).as("custom-headers ConfigMap listed").anyMatch(c -> c.equals("list /configmaps default"));
        for (String call : calls) {
            assertThat(allowed(call, podNamespace))
                    .as("RBAC allows `%s` (all calls: %s)", call, calls)
                    .isTrue();
        }
    }

    private void createCluster() {
        client.network()
                .v1()
                .ingressClasses()
                .resource(only(IngressClass.class))
                .createOr(NonDeletingOperation::update);
        Service published = only(Service.class);
        client.services()
                .inNamespace(published.getMetadata().getNamespace())
                .resource(new ServiceBuilder(published)
                        .withNewStatus()
                        .withNewLoadBalancer()
                        .addNewIngress()
                        .withIp("203.0.113.7")
                        .endIngress()
                        .endLoadBalancer()
                        .endStatus()
                        .build())
                .createOr(NonDeletingOperation::update);
        client.services()
                .inNamespace("default")
                .resource(new ServiceBuilder()
                        .withNewMetadata()
                        .withName("alpaca")
                        .withNamespace("default")
                        .endMetadata()
                        .withNewSpec()
                        .addNewPort()
                        .withName("http")
                        .withPort(8080)
                        .endPort()
                        .endSpec()
                        .build())
                .create();
        client.discovery()
                .v1()
                .endpointSlices()
                .inNamespace("default")
                .resource(new EndpointSliceBuilder()
                        .withNewMetadata()
                        .withName("alpaca-1")
                        .withNamespace("default")
                        .addToLabels("kubernetes.io/service-name", "alpaca")
                        .endMetadata()
                        .withAddressType("IPv4")
                        .addNewEndpoint()
                        .withAddresses("127.0.0.1")
                        .endEndpoint()
                        .addNewPort()
                        .withName("http")
                        .withPort(9)
                        .endPort()
                        .build())
                .create();
        client.network()
                .v1()
                .ingresses()
                .inNamespace("default")
                .resource(new IngressBuilder()
                        .withNewMetadata()
                        .withName("alpaca")
                        .withNamespace("default")
                        .addToAnnotations("nginx.ingress.kubernetes.io/custom-headers", "alpaca-headers")
                        .endMetadata()
                        .withNewSpec()
                        .withIngressClassName("usher")
                        .withTls(new io.fabric8.kubernetes.api.model.networking.v1.IngressTLSBuilder()
                                .withHosts("alpaca.example.com")
                                .withSecretName("alpaca-tls")
                                .build())
                        .addNewRule()
                        .withHost("alpaca.example.com")
                        .withNewHttp()
                        .addNewPath()
                        .withPath("/")
                        .withPathType("Prefix")
                        .withNewBackend()
                        .withNewService()
                        .withName("alpaca")
                        .withNewPort()
                        .withName("http")
                        .endPort()
                        .endService()
                        .endBackend()
                        .endPath()
                        .endHttp()
                        .endRule()
                        .endSpec()
                        .build())
                .create();
    }

    private void awaitStatusAddress() {
        await("status.loadBalancer written")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    Ingress ingress = client.network()
                            .v1()
                            .ingresses()
                            .inNamespace("default")
                            .withName("alpaca")
                            .get();
                    return ingress.getStatus() != null
                            && ingress.getStatus().getLoadBalancer() != null
                            && ingress.getStatus().getLoadBalancer().getIngress() != null
                            && !ingress.getStatus()
                                    .getLoadBalancer()
                                    .getIngress()
                                    .isEmpty();
                });
    }

    /** Every request the mock server saw, as {@code "verb group/resource[/subresource] namespace"}. */
    private Set<String> recordedCalls() throws InterruptedException {
        Set<String> calls = new LinkedHashSet<>();
        RecordedRequest request;
        while ((request = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
            String call = describe(request.getMethod(), request.getPath());
            if (call != null) {
                calls.add(call);
            }
        }
        return calls;
    }

    /** Maps an API request to its RBAC verb, group, resource and namespace ({@code *} for all namespaces). */
    static String describe(String method, String pathAndQuery) {
        URI uri = URI.create(pathAndQuery);
        String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
        Matcher core = CORE.matcher(uri.getPath());
        Matcher grouped = GROUPED.matcher(uri.getPath());
        String group;
        String namespace;
        String resource;
        String name;
        String sub;
        if (core.matches()) {
            group = "";
            namespace = core.group(1);
            resource = core.group(2);
            name = core.group(3);
            sub = core.group(4);
        } else if (grouped.matches()) {
            group = grouped.group(1);
            namespace = grouped.group(2);
            resource = grouped.group(3);
            name = grouped.group(4);
            sub = grouped.group(5);
        } else {
            return null; // discovery (/api, /apis, /version) needs no rule
        }
        String verb =
                switch (method) {
                    case "GET" -> query.contains("watch=true") ? "watch" : name == null ? "list" : "get";
                    case "POST" -> "create";
                    case "PUT" -> "update";
                    case "PATCH" -> "patch";
                    case "DELETE" -> name == null ? "deletecollection" : "delete";
                    default -> method.toLowerCase(java.util.Locale.ROOT);
                };
        return verb + " " + group + "/" + resource + (sub == null ? "" : "/" + sub) + " "
                + (namespace == null ? "*" : namespace);
    }

    private static boolean allowed(String call, String roleNamespace) {
        String[] parts = call.split(" ");
        String verb = parts[0];
        String group = parts[1].substring(0, parts[1].indexOf('/'));
        String resource = parts[1].substring(parts[1].indexOf('/') + 1);
        String namespace = parts[2];
        Function<List<PolicyRule>, Boolean> covers = rules -> rules.stream()
                .anyMatch(rule -> rule.getApiGroups().contains(group)
                        && rule.getResources().contains(resource)
                        && (rule.getVerbs().contains(verb) || rule.getVerbs().contains("*")));
        boolean cluster = covers.apply(only(ClusterRole.class).getRules());
        boolean role =
                namespace.equals(roleNamespace) && covers.apply(only(Role.class).getRules());
        return cluster || role;
    }

    @Test
    void describe_mapsRequestsToRbacTerms() {
        assertThat(describe("GET", "/apis/networking.k8s.io/v1/ingresses?watch=true&resourceVersion=1"))
                .isEqualTo("watch networking.k8s.io/ingresses *");
        assertThat(describe("PATCH", "/apis/networking.k8s.io/v1/namespaces/default/ingresses/a/status"))
                .isEqualTo("patch networking.k8s.io/ingresses/status default");
        assertThat(describe("GET", "/api/v1/namespaces/usher-system/services/usher"))
                .isEqualTo("get /services usher-system");
        assertThat(describe("PUT", "/apis/coordination.k8s.io/v1/namespaces/usher-system/leases/usher-leader"))
                .isEqualTo("update coordination.k8s.io/leases usher-system");
        assertThat(describe("GET", "/version")).isNull();
    }
}
