package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code usher check} on an ingress-nginx {@code ssl-passthrough} Ingress: honoured with
 * {@code --enable-ssl-passthrough}, reported as having no effect (and exit 1) without it.
 */
final class SslPassthroughCheckTest {

    private static final String N = "nginx.ingress.kubernetes.io/";

    private static final String VAULT = """
            apiVersion: networking.k8s.io/v1
            kind: IngressClass
            metadata: {name: nginx}
            spec: {controller: k8s.io/ingress-nginx}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: vault, namespace: default}
            spec:
              ports:
              - {port: 8200, targetPort: 8200}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: vault-1
              namespace: default
              labels: {kubernetes.io/service-name: vault}
            addressType: IPv4
            ports:
            - {port: 8200, protocol: TCP}
            endpoints: [{addresses: [10.0.0.9], conditions: {ready: true}}]
            ---
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: vault
              namespace: default
              annotations:
                nginx.ingress.kubernetes.io/ssl-passthrough: "true"
            spec:
              ingressClassName: nginx
              rules:
              - host: vault.example.org
                http:
                  paths:
                  - {path: /, pathType: Prefix, backend: {service: {name: vault, port: {number: 8200}}}}
            """;

    private final StringWriter out = new StringWriter();

    private int check(Path dir, String... more) throws IOException {
        Files.writeString(dir.resolve("vault.yaml"), VAULT);
        CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(new StringWriter(), true));
        List<String> args = new ArrayList<>(List.of(
                "check",
                "--manifests",
                dir.toString(),
                "--ingress-class",
                "nginx",
                "--controller-name",
                "k8s.io/ingress-nginx"));
        args.addAll(List.of(more));
        return commandLine.execute(args.toArray(String[]::new));
    }

    @Test
    void withTheFlag_passthroughIsHonoured_andEverythingCarriesOver(@TempDir Path dir) throws IOException {
        int code = check(dir, "--enable-ssl-passthrough");

        assertThat(code).as(out.toString()).isZero();
        assertThat(out.toString())
                .contains("  annotation " + N + "ssl-passthrough: honoured: as ingress-nginx: \"true\" with"
                        + " --enable-ssl-passthrough: TLS connections whose server name (SNI)")
                .contains("result: everything carries over\n");
    }

    @Test
    void withoutTheFlag_passthroughIsReportedAsHavingNoEffect_andCheckExits1(@TempDir Path dir) throws IOException {
        int code = check(dir);

        assertThat(code).as(out.toString()).isEqualTo(1);
        assertThat(out.toString())
                .contains("  annotation " + N + "ssl-passthrough: unsupported: no effect: --enable-ssl-passthrough"
                        + " is off")
                .contains("result: 1 served Ingresses would lose something");
    }
}
