package dev.usher.deploy;

import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.proxy.echo.EchoServer;
import dev.usher.tls.PemCertificates;
import dev.usher.tls.PemCertificates.KeyFormat;
import dev.usher.tls.TlsCertificate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes the manifests a TLS test needs: Services with Endpoints, {@code kubernetes.io/tls} Secrets, Ingresses. */
final class TlsManifests {

    private final Path dir;

    TlsManifests(Path dir) {
        this.dir = dir;
    }

    /**
     * Starts the launcher on the manifests in {@code folder}: loopback, ephemeral HTTP, HTTPS and admin ports,
     * Ingresses without a class watched too.
     */
    static Controller startUsher(Path folder) throws IOException {
        return Controller.start(ControllerConfig.builder()
                .manifests(folder)
                .bindAddress("127.0.0.1")
                .httpPort(0)
                .httpsPort(0)
                .adminPort(0)
                .watcher(WatcherSettings.defaults().withWatchIngressWithoutClass(true))
                .drainTimeout(Duration.ofSeconds(2))
                .build());
    }

    /**
     * An echo origin {@code alpaca} behind the launcher (started by {@link #startUsher}) on {@code folder}: its Service,
     * the Secret {@code secret} holding {@code certificate}, and {@code ingresses} (YAML) as {@code ingress.yaml}.
     */
    record AlpacaBehindUsher(EchoServer alpaca, Controller controller) implements AutoCloseable {

        static AlpacaBehindUsher start(Path folder, String secret, TlsCertificate certificate, String ingresses)
                throws IOException {
            EchoServer alpaca = EchoServer.builder()
                    .name("alpaca")
                    .bindAddress("127.0.0.1")
                    .build()
                    .start();
            try {
                new TlsManifests(folder)
                        .services(Map.of("alpaca", alpaca.port()))
                        .secret(secret, certificate, KeyFormat.PKCS8);
                Files.writeString(folder.resolve("ingress.yaml"), ingresses, StandardCharsets.UTF_8);
                return new AlpacaBehindUsher(alpaca, startUsher(folder));
            } catch (IOException | RuntimeException e) {
                alpaca.close();
                throw e;
            }
        }

        /** Usher's HTTPS port. */
        int httpsPort() {
            return controller.httpsPort();
        }

        @Override
        public void close() {
            controller.close();
            alpaca.close();
        }
    }

    /** One Service per origin (port 8080 named http) and Endpoints pointing it at 127.0.0.1 and the origin's port. */
    TlsManifests services(Map<String, Integer> portByService) throws IOException {
        StringBuilder yaml = new StringBuilder();
        for (String service : portByService.keySet()) {
            yaml.append("""
                    apiVersion: v1
                    kind: Service
                    metadata:
                      name: %s
                    spec:
                      ports:
                      - name: http
                        port: 8080
                    ---
                    """.formatted(service));
        }
        write("services.yaml", yaml + Examples.endpointsYaml(portByService));
        return this;
    }

    /** A Secret {@code name} holding {@code certificate}'s chain and its key written in {@code format}. */
    TlsManifests secret(String name, TlsCertificate certificate, KeyFormat format) throws IOException {
        return secret(
                name,
                PemCertificates.certificatesPem(certificate.chain()),
                PemCertificates.privateKeyPem(certificate.key(), format));
    }

    /** A Secret {@code name} with these PEM bytes as {@code tls.crt} and {@code tls.key}, base64 as the API has it. */
    TlsManifests secret(String name, byte[] crt, byte[] key) throws IOException {
        return secret("default", name, crt, key);
    }

    /** As {@link #secret(String, byte[], byte[])}, in {@code namespace}. */
    TlsManifests secret(String namespace, String name, byte[] crt, byte[] key) throws IOException {
        Base64.Encoder base64 = Base64.getEncoder();
        write("secret-" + namespace + "-" + name + ".yaml", """
                apiVersion: v1
                kind: Secret
                type: kubernetes.io/tls
                metadata:
                  namespace: %s
                  name: %s
                data:
                  tls.crt: %s
                  tls.key: %s
                """.formatted(
                        namespace, name, base64.encodeToString(crt), base64.encodeToString(key)));
        return this;
    }

    /**
     * An Ingress routing each host to a service, with one {@code spec.tls} entry per Secret.
     *
     * @param sslRedirect the {@code usher.dev/ssl-redirect} annotation, or null for none
     */
    TlsManifests ingress(
            String name, String sslRedirect, Map<String, String> secretByHost, Map<String, String> serviceByHost)
            throws IOException {
        StringBuilder yaml = new StringBuilder("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: ")
                .append(name)
                .append('\n');
        if (sslRedirect != null) {
            yaml.append("  annotations:\n    usher.dev/ssl-redirect: \"")
                    .append(sslRedirect)
                    .append("\"\n");
        }
        yaml.append("spec:\n");
        Map<String, List<String>> hostsBySecret = new LinkedHashMap<>();
        secretByHost.forEach((host, secret) ->
                hostsBySecret.computeIfAbsent(secret, s -> new ArrayList<>()).add(host));
        if (!hostsBySecret.isEmpty()) {
            yaml.append("  tls:\n");
            hostsBySecret.forEach((secret, hosts) -> {
                yaml.append("  - secretName: ").append(secret).append("\n    hosts:\n");
                hosts.forEach(host -> yaml.append("    - \"").append(host).append("\"\n"));
            });
        }
        yaml.append("  rules:\n");
        serviceByHost.forEach((host, service) -> yaml.append("""
                  - host: "%s"
                    http:
                      paths:
                      - path: /
                        pathType: Prefix
                        backend:
                          service:
                            name: %s
                            port:
                              number: 8080
                """.formatted(host, service)));
        write("ingress-" + name + ".yaml", yaml.toString());
        return this;
    }

    /** Replaces a file the way editors and kubelet's projected volumes do: a temporary file renamed into place. */
    private void write(String file, String content) throws IOException {
        Path temporary = dir.resolve("." + file + ".tmp");
        Files.writeString(temporary, content, StandardCharsets.UTF_8);
        Files.move(temporary, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
