package dev.usher.deploy;

import dev.usher.deploy.admin.DebugAccess;
import dev.usher.k8s.StatusOptions;
import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.proxy.Transport;
import dev.usher.routing.AddressBlock;
import dev.usher.routing.BackendRef;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code usher run}: the controller, on the cluster's API server or on a folder of manifests. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Run the Ingress controller and proxy.",
            "",
            "Without --manifests it watches the API server (in-cluster service account, or the kubeconfig) "
                    + "and writes Ingress status from the elected replica. With --manifests DIR it reads every "
                    + "*.yaml, *.yml and *.json under DIR (Ingress, IngressClass, Service, Endpoints, "
                    + "EndpointSlice, Secret) instead and follows changes."
        })
final class RunCommand implements Callable<Integer> {

    CommandSpec spec;

    /** The data-plane flags, registered programmatically (see {@link ProxyOptions}). */
    final ProxyOptions proxy = new ProxyOptions();

    @Spec
    void spec(CommandSpec spec) {
        this.spec = spec;
        proxy.addTo(spec);
    }

    @Option(
            names = "--manifests",
            paramLabel = "DIR",
            description = "Read and watch this folder of manifests instead of the API server.")
    Path manifests;

    @Option(
            names = "--watch-namespace",
            paramLabel = "NAMESPACE",
            description = "Cluster mode: watch only this namespace (default: all namespaces).")
    String watchNamespace;

    @Option(
            names = "--update-status",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Cluster mode: write status.loadBalancer on served Ingresses, from the replica that "
                    + "holds the election Lease (default: ${DEFAULT-VALUE}).")
    boolean updateStatus;

    @Option(
            names = "--publish-service",
            paramLabel = "NAMESPACE/NAME",
            description = "Cluster mode: publish this Service's LoadBalancer addresses as the Ingress status.")
    String publishService;

    @Option(
            names = "--publish-status-address",
            paramLabel = "ADDRESS",
            split = ",",
            description = "Cluster mode: fixed IPs or host names to publish as the Ingress status (repeatable, or "
                    + "comma-separated); used while --publish-service has no address.")
    List<String> publishStatusAddresses = new ArrayList<>();

    @Option(
            names = "--election-id",
            paramLabel = "NAME",
            defaultValue = "usher-leader",
            description = "Cluster mode: name of the Lease (in $POD_NAMESPACE) that elects the status writer "
                    + "(default: ${DEFAULT-VALUE}).")
    String electionId;

    @Mixin
    ListenerPorts ports = new ListenerPorts();

    @Mixin
    GlobalAuthOptions globalAuth = new GlobalAuthOptions();

    @Mixin
    ResponseHeaderOptions responseHeaders = new ResponseHeaderOptions();

    @Option(
            names = "--bind",
            paramLabel = "ADDRESS",
            defaultValue = "0.0.0.0",
            description = "Address the HTTP and HTTPS listeners bind (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(
            names = "--admin-bind",
            paramLabel = "ADDRESS",
            description = "Address the admin port binds (default: same as --bind).")
    String adminBind;

    @Option(
            names = "--debug-from",
            paramLabel = "CIDR",
            split = ",",
            converter = Converters.CidrConverter.class,
            description = "Also answer the admin port's debug views (/debug/*, the page at /) to clients in these "
                    + "blocks (repeatable, or comma-separated). Default: loopback only, which kubectl port-forward "
                    + "reaches; /healthz /readyz /metrics answer everyone.")
    List<AddressBlock> debugFrom = new ArrayList<>();

    @Option(
            names = "--ingress-class",
            paramLabel = "NAME",
            defaultValue = WatcherSettings.DEFAULT_INGRESS_CLASS,
            description = "IngressClass to serve, also matched against the legacy class annotation "
                    + "(default: ${DEFAULT-VALUE}).")
    String ingressClass;

    @Option(
            names = "--controller-name",
            paramLabel = "NAME",
            defaultValue = WatcherSettings.DEFAULT_CONTROLLER_NAME,
            description = "IngressClass spec.controller value to serve (default: ${DEFAULT-VALUE}).")
    String controllerName;

    @Option(names = "--watch-ingress-without-class", description = "Also serve Ingresses that name no class at all.")
    boolean watchIngressWithoutClass;

    @Option(
            names = "--disable-svc-external-name",
            description = "Refuse ExternalName Services as backends (ingress-nginx's flag): their routes answer 503 "
                    + "and a problem is listed. Without it they are routed, except to names of this host or its "
                    + "link (localhost, loopback, link-local).")
    boolean disableSvcExternalName;

    @Option(
            names = "--default-backend",
            paramLabel = "NAMESPACE/SERVICE:PORT",
            converter = Converters.BackendConverter.class,
            description = "Where requests go that no Ingress rule or default backend takes (default: 404).")
    BackendRef defaultBackend;

    @Option(
            names = "--default-ssl-certificate",
            paramLabel = "NAMESPACE/NAME",
            description = "TLS Secret served when no Ingress certificate matches; a change to it is picked up "
                    + "without a restart (default: a generated self-signed certificate).")
    String defaultSslCertificate;

    @Option(
            names = "--event-loops",
            paramLabel = "N",
            defaultValue = "0",
            description = "Proxy event loop threads, 0 = one per processor (default: ${DEFAULT-VALUE}).")
    int eventLoops;

    @Option(
            names = "--transport",
            paramLabel = "auto|io_uring|epoll|nio",
            defaultValue = "auto",
            converter = Converters.TransportConverter.class,
            description = "The proxy's I/O transport: auto is epoll where available, else NIO; io_uring must be "
                    + "named; one named but not available here stops the start (default: ${DEFAULT-VALUE}).")
    Transport transport;

    @Option(
            names = "--drain-timeout",
            paramLabel = "DURATION",
            defaultValue = "10s",
            converter = Converters.DurationConverter.class,
            description = "On shutdown, how long in-flight requests may finish (default: ${DEFAULT-VALUE}).")
    Duration drainTimeout;

    @Option(
            names = "--zone",
            paramLabel = "ZONE",
            description = "The zone Usher runs in: Services with topology-aware routing hints get their requests sent "
                    + "to the endpoints hinted for it (default: in cluster mode, the topology.kubernetes.io/zone label "
                    + "of the node $NODE_NAME, read once at start; else none).")
    String zone;

    @Option(
            names = "--shutdown-delay",
            paramLabel = "DURATION",
            defaultValue = "15s",
            converter = Converters.DurationConverter.class,
            description = "On shutdown, how long to keep serving with /readyz at 503 before the drain starts, so that "
                    + "load balancers and the Service's endpoints stop sending new connections first; 0 = drain at "
                    + "once (default: ${DEFAULT-VALUE}).")
    Duration shutdownDelay;

    @Option(
            names = "--warmup-rounds",
            paramLabel = "N",
            defaultValue = "0",
            description = "Before serving: N rounds of `usher warmup`'s HTTP/1.1 requests (8 per round) through the "
                    + "demo on private loopback ports (its own origins; nothing reaches the cluster's Services), so the "
                    + "first requests after /readyz find compiled code; 0 skips it (default: ${DEFAULT-VALUE}).")
    int warmupRounds;

    /** The configuration these flags describe. */
    ControllerConfig config() {
        return ports.applyTo(ControllerConfig.builder())
                .manifests(manifests == null ? null : manifests.toAbsolutePath().normalize())
                .watchNamespace(watchNamespace)
                .status(
                        updateStatus
                                ? new StatusOptions(
                                        publishService,
                                        publishStatusAddresses,
                                        env("POD_NAMESPACE", "default"),
                                        electionId,
                                        env("POD_NAME", hostName()))
                                : null)
                .bindAddress(bind)
                .adminBindAddress(adminBind)
                .debugAccess(DebugAccess.loopbackAnd(debugFrom))
                .watcher(responseHeaders.applyTo(
                        new WatcherSettings(ingressClass, controllerName, watchIngressWithoutClass, defaultBackend)
                                .withZone(zone)
                                .withExternalNameServices(!disableSvcExternalName)
                                .withGlobalAuth(globalAuth.toGlobalAuth(spec.commandLine())),
                        spec.commandLine()))
                .proxy(proxy.toSettings())
                .eventLoops(eventLoops)
                .transport(transport)
                .defaultSslCertificate(defaultSslCertificate)
                .drainTimeout(drainTimeout)
                .shutdownDelay(shutdownDelay)
                .nodeName(env("NODE_NAME", null))
                .build();
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    /**
     * {@code usher warmup}'s HTTP/1.1 requests through the demo, on loopback ports of its own with its own origins and
     * metrics, before the real listeners open: the JIT compiles the request path before /readyz lets traffic in.
     */
    private void warmUp() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        out.printf("warm-up: %d rounds through the demo on private loopback ports before serving%n", warmupRounds);
        out.flush();
        long start = System.nanoTime();
        try {
            WarmupCommand.Tally tally = WarmupCommand.warm(warmupRounds, true);
            out.printf(
                    "warm-up: %d requests, %d failed, %d ms; starting%n",
                    tally.sent(), tally.failed(), (System.nanoTime() - start) / 1_000_000);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            // an optimisation: without it Usher starts as it would with --warmup-rounds 0
            out.printf("warm-up failed (%s); starting without it%n", e);
        }
        out.flush();
    }

    /** Outside a pod (no $POD_NAME): the host name and process id, unique among replicas on one machine. */
    private static String hostName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + "-" + ProcessHandle.current().pid();
    }

    @Override
    public Integer call() throws Exception {
        ControllerConfig config = config();
        if (warmupRounds < 0) {
            throw new ParameterException(spec.commandLine(), "--warmup-rounds must be 0 or more, not " + warmupRounds);
        }
        if (warmupRounds > 0) {
            warmUp();
        }
        Controller controller = Controller.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(controller::close, "usher-shutdown"));
        spec.commandLine()
                .getOut()
                .printf(
                        "usher is running: http :%d%s, admin :%d; Ctrl-C drains and stops%n",
                        controller.httpPort(),
                        controller.httpsPort() < 0 ? "" : ", https :" + controller.httpsPort(),
                        controller.adminPort());
        spec.commandLine().getOut().flush();
        Thread.currentThread().join();
        return 0;
    }
}
