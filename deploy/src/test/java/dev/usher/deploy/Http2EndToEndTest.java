package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.proxy.GrpcCall;
import dev.usher.proxy.GrpcTestService;
import dev.usher.proxy.echo.EchoServer;
import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.JdkTlsClient;
import dev.usher.tls.PemCertificates.KeyFormat;
import dev.usher.tls.TlsCertificate;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * HTTP/2 and gRPC through the launcher, configured as a user configures it: a manifests folder whose Ingress selects
 * the origin's protocol with ingress-nginx's {@code backend-protocol: GRPC} annotation. The JDK's HTTP/2 client over
 * TLS (ALPN h2) to an HTTP/1.1 origin, and grpc-java over h2c (prior knowledge, the HTTP port) and over TLS (the
 * HTTPS port, the Secret's certificate chosen by SNI) to a grpc-java origin.
 */
final class Http2EndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String GRPC_HOST = "grpc.example.com";
    /** The same origin on a host without TLS: on the HTTP port a TLS host's requests are redirected to HTTPS. */
    private static final String H2C_HOST = "h2c.example.com";

    private static final TlsCertificate GRPC_CERT =
            CertificateGenerator.forHosts(GRPC_HOST).generate("grpc");

    @TempDir
    static Path folder;

    private static EchoServer alpaca;
    private static Server greeter;
    private static Controller controller;
    private static ManagedChannel h2c;
    private static ManagedChannel h2;

    @BeforeAll
    static void start() throws Exception {
        alpaca = EchoServer.builder()
                .name("alpaca")
                .bindAddress("127.0.0.1")
                .build()
                .start();
        greeter = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new GrpcTestService().definition())
                .build()
                .start();
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("alpaca", alpaca.port());
        ports.put("greeter", greeter.getPort());
        new TlsManifests(folder).services(ports).secret("grpc-tls", GRPC_CERT, KeyFormat.PKCS8);
        Files.writeString(folder.resolve("ingress.yaml"), """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: web
                spec:
                  defaultBackend:
                    service:
                      name: alpaca
                      port:
                        number: 8080
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: grpc
                  annotations:
                    nginx.ingress.kubernetes.io/backend-protocol: GRPC
                spec:
                  tls:
                  - secretName: grpc-tls
                    hosts:
                    - %1$s
                  rules:
                  - host: %1$s
                    http:
                      paths:
                      - path: /
                        pathType: Prefix
                        backend:
                          service:
                            name: greeter
                            port:
                              number: 8080
                  - host: %2$s
                    http:
                      paths:
                      - path: /
                        pathType: Prefix
                        backend:
                          service:
                            name: greeter
                            port:
                              number: 8080
                  - host: down.example.com
                    http:
                      paths:
                      - path: /
                        pathType: Prefix
                        backend:
                          service:
                            name: nobody
                            port:
                              number: 8080
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: nobody
                spec:
                  ports:
                  - name: http
                    port: 8080
                """.formatted(GRPC_HOST, H2C_HOST), StandardCharsets.UTF_8);
        controller = TlsManifests.startUsher(folder);
        h2c = NettyChannelBuilder.forAddress("127.0.0.1", controller.httpPort())
                .overrideAuthority(H2C_HOST)
                .usePlaintext()
                .build();
        h2 = NettyChannelBuilder.forAddress("127.0.0.1", controller.httpsPort())
                .overrideAuthority(GRPC_HOST)
                .sslContext(GrpcSslContexts.forClient()
                        .trustManager(GRPC_CERT.leaf())
                        .build())
                .build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        for (ManagedChannel channel : new ManagedChannel[] {h2c, h2}) {
            if (channel != null) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        if (controller != null) {
            controller.close();
        }
        if (greeter != null) {
            greeter.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (alpaca != null) {
            alpaca.close();
        }
    }

    @Test
    void jdkClient_h2OverTls_getAndAOneMiBUpload_reachTheHttp11Origin() throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_2)
                .sslContext(JdkTlsClient.trustAllContext())
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        URI uri = URI.create("https://127.0.0.1:" + controller.httpsPort() + "/hello?x=1");

        HttpResponse<String> get = client.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        byte[] upload = new byte[1 << 20];
        HttpResponse<String> post = client.send(
                HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofSeconds(20))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(upload))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        for (HttpResponse<String> response : List.of(get, post)) {
            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode echo = JSON.readTree(response.body());
            assertThat(echo.get("name").asString()).isEqualTo("alpaca"); // the Ingress's default backend
            assertThat(echo.get("protocol").asString()).isEqualTo("HTTP/1.1"); // translated for the origin
            assertThat(echo.get("uri").asString()).isEqualTo("/hello?x=1");
            assertThat(echo.get("headers").get("x-forwarded-proto").get(0).asString())
                    .isEqualTo("https");
        }
        assertThat(JSON.readTree(get.body()).get("method").asString()).isEqualTo("GET");
        assertThat(JSON.readTree(post.body()).get("bodyLength").asLong()).isEqualTo(upload.length);
    }

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void grpc_throughTheBackendProtocolAnnotation_unaryAndServerStreaming(boolean overTls) throws Exception {
        ManagedChannel channel = overTls ? h2 : h2c;

        GrpcCall unary = GrpcCall.unary(channel, GrpcTestService.SAY, "usher");
        assertThat(unary.status().getCode()).as(unary.status().toString()).isEqualTo(Status.Code.OK);
        assertThat(unary.messages).containsExactly("hello usher");

        GrpcCall stream = GrpcCall.unary(channel, GrpcTestService.COUNT_TO, "5");
        assertThat(stream.status().getCode()).isEqualTo(Status.Code.OK);
        assertThat(stream.messages).containsExactly("1", "2", "3", "4", "5");
    }

    @Test
    void grpc_aServiceWithNoReadyEndpoint_isUnavailable_answeredByUsher() throws Exception {
        ManagedChannel down = NettyChannelBuilder.forAddress("127.0.0.1", controller.httpPort())
                .overrideAuthority("down.example.com")
                .usePlaintext()
                .build();
        try {
            GrpcCall call = GrpcCall.unary(down, GrpcTestService.SAY, "anyone");
            Status status = call.status();
            assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(status.getDescription()).startsWith("503 ");
            assertThat(call.messages).isEmpty();
        } finally {
            down.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
