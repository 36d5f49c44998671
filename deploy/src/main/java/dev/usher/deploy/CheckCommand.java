package dev.usher.deploy;

import dev.usher.k8s.CheckFormat;
import dev.usher.k8s.CheckReport;
import dev.usher.k8s.ClusterObjects;
import dev.usher.k8s.KubernetesClients;
import dev.usher.k8s.ManifestsFolder;
import dev.usher.k8s.translate.WatcherSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code usher check}: what {@code usher run} would make of a folder of manifests, Ingress by Ingress, before anyone
 * switches controllers (a folder, or the cluster in the kubeconfig); exit status 1 when anything would be dropped or refused.
 */
@Command(
        name = "check",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Report what `usher run` would make of a folder of manifests or of the cluster: for every Ingress, whether "
                    + "this controller serves it and why, each usher.dev/ and nginx.ingress.kubernetes.io/ annotation "
                    + "(honoured, no effect needed, refused, unsupported, unknown, invalid), problems, conflicts and "
                    + "the routes it produces. A summary comes first.",
            "",
            "Exit status: 0 when everything carries over, 1 when anything would be dropped or refused, 2 when "
                    + "nothing could be checked.",
            "Without --manifests it lists the objects once from the API server (the kubeconfig, as kubectl "
                    + "finds it, or the in-cluster service account)."
        })
final class CheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--manifests",
            paramLabel = "DIR",
            description = "Folder of manifests (*.yaml, *.yml, *.json, read as `usher run --manifests` reads it) "
                    + "instead of the API server.")
    Path manifests;

    @Option(
            names = "--watch-namespace",
            paramLabel = "NAMESPACE",
            description = "Cluster mode: only this namespace (default: all namespaces).")
    String watchNamespace;

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            defaultValue = "text",
            description = "text or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(
            names = "--ingress-class",
            paramLabel = "NAME",
            defaultValue = WatcherSettings.DEFAULT_INGRESS_CLASS,
            description = "As for `usher run` (default: ${DEFAULT-VALUE}).")
    String ingressClass;

    @Option(
            names = "--controller-name",
            paramLabel = "NAME",
            defaultValue = WatcherSettings.DEFAULT_CONTROLLER_NAME,
            description = "As for `usher run` (default: ${DEFAULT-VALUE}).")
    String controllerName;

    @Option(names = "--watch-ingress-without-class", description = "As for `usher run`.")
    boolean watchIngressWithoutClass;

    @Option(
            names = "--enable-ssl-passthrough",
            description = "As for `usher run`: ssl-passthrough annotations take effect (reported as having none "
                    + "without it).")
    boolean enableSslPassthrough;

    @Option(
            names = "--disable-svc-external-name",
            description = "As for `usher run`: ExternalName Services are refused as backends.")
    boolean disableSvcExternalName;

    @Mixin
    GlobalAuthOptions globalAuth = new GlobalAuthOptions();

    @Mixin
    ResponseHeaderOptions responseHeaders = new ResponseHeaderOptions();

    @Override
    public Integer call() throws Exception {
        if (!"text".equals(format) && !"json".equals(format)) {
            throw new ParameterException(spec.commandLine(), "--format: expected text or json, got '" + format + "'");
        }
        WatcherSettings settings = responseHeaders.applyTo(
                new WatcherSettings(ingressClass, controllerName, watchIngressWithoutClass, null)
                        .withSslPassthrough(enableSslPassthrough)
                        .withExternalNameServices(!disableSvcExternalName)
                        .withGlobalAuth(globalAuth.toGlobalAuth(spec.commandLine())),
                spec.commandLine());
        CheckReport report;
        if (manifests != null) {
            ManifestsFolder.Read read =
                    ManifestsFolder.read(manifests.toAbsolutePath().normalize());
            report = CheckReport.of(read.objects(), read.problems(), settings);
        } else {
            try (KubernetesClient client = KubernetesClients.connect(null)) {
                report = CheckReport.of(ClusterObjects.list(client, watchNamespace), List.of(), settings);
            } catch (KubernetesClientException e) {
                // exit 2, not 1: nothing was checked
                spec.commandLine()
                        .getErr()
                        .println("usher check: cannot list objects from the API server: " + e.getMessage());
                return 2;
            }
        }
        spec.commandLine().getOut().print("json".equals(format) ? CheckFormat.json(report) : CheckFormat.text(report));
        spec.commandLine().getOut().flush();
        return report.dropsAnything() ? 1 : 0;
    }
}
