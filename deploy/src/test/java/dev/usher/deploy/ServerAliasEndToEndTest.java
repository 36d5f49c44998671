package dev.usher.deploy;

import static dev.usher.deploy.NginxAnnotationsEndToEndTest.INGRESS;
import static dev.usher.deploy.NginxAnnotationsEndToEndTest.N;
import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.proxy.echo.EchoServer;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ingress-nginx's {@code server-alias} and {@code service-upstream} through the launcher ({@code usher run
 * --manifests}), raw requests on the HTTP port, echo origins saying what they got.
 */
final class ServerAliasEndToEndTest {

    @TempDir
    Path manifests;

    private final List<EchoServer> origins = new ArrayList<>();
    private Controller controller;

    @BeforeEach
    void start() throws IOException {
        ExampleOrigins.serve(manifests, origins);
        EchoServer clustered = EchoServer.builder().name("clustered").build().start();
        origins.add(clustered);
        int port = clustered.port();
        // the Service's cluster IP is the echo origin's address; its only endpoint is a closed port
        String service = """
                apiVersion: v1
                kind: Service
                metadata: {name: clustered}
                spec:
                  clusterIP: 127.0.0.1
                  ports:
                  - {port: %d, targetPort: 1}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: clustered-1
                  labels: {kubernetes.io/service-name: clustered}
                addressType: IPv4
                ports:
                - {port: 1, protocol: TCP}
                endpoints: [{addresses: [127.0.0.1]}]
                """.formatted(port);
        String viaClusterIp = INGRESS.formatted("via-cluster-ip", N + "service-upstream: \"true\"", "vip.example.com")
                .replace("name: alpaca, port: {number: 8080}", "name: clustered, port: {number: " + port + "}");
        String viaEndpoints = INGRESS.formatted("via-endpoints", N + "service-upstream: \"false\"", "pods.example.com")
                .replace("name: alpaca, port: {number: 8080}", "name: clustered, port: {number: " + port + "}");
        Files.writeString(
                manifests.resolve("aliases.yaml"),
                INGRESS.formatted("foo", N + "server-alias: \"bar.example.com, *.apps.example.com\"", "foo.example.com")
                        + viaClusterIp
                        + viaEndpoints
                        + service);
        controller = ExampleOrigins.startUsher(manifests);
    }

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.close();
        }
        origins.forEach(EchoServer::close);
    }

    @Test
    void anAlias_isServedAsTheIngresssHost() throws IOException {
        for (String host : List.of("foo.example.com", "bar.example.com", "BAR.example.com.", "x.apps.example.com")) {
            assertThat(get(host))
                    .as(host)
                    .startsWith("HTTP/1.1 200 ")
                    .contains("\"name\":\"alpaca\"")
                    .contains("\"host\":\"" + host + "\"");
        }
        assertThat(get("baz.example.com")).doesNotContain("\"name\":\"alpaca\"");
    }

    @Test
    void serviceUpstream_reachesTheClusterIp_whileAnotherIngressOfTheServiceUsesItsEndpoints() throws IOException {
        assertThat(get("vip.example.com")).startsWith("HTTP/1.1 200 ").contains("\"name\":\"clustered\"");
        assertThat(get("pods.example.com")).startsWith("HTTP/1.1 502 ");
    }

    private String get(String host) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", controller.httpPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
