package dev.usher.deploy;

import dev.usher.proxy.ProxySettings;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code usher warmup}: the demo on free loopback ports, a fixed set of requests through it (HTTP/1.1, HTTPS over
 * HTTP/1.1 and HTTP/2, the admin endpoints), then a clean stop. It exists for the image build: run under
 * {@code -XX:ArchiveClassesAtExit}, it leaves a class-data sharing archive of the classes Usher loads to start and
 * to serve, which {@code -XX:SharedArchiveFile} then maps at every start (deploy/Dockerfile).
 */
@Command(
        name = "warmup",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Start the demo on free loopback ports, send a fixed set of HTTP/1.1, HTTPS and HTTP/2 requests through "
                    + "it, stop and exit: the training run of the image's class-data sharing archive."
        })
final class WarmupCommand implements Callable<Integer> {

    /** The book's hosts and paths of the bundled examples, and the status each answers with. */
    static final List<String> TARGETS =
            List.of("alpaca.example.com /", "bandicoot.example.com /", "bandicoot.example.com /a/", "unknown.test /");

    private static final String BODY = "{\"warmup\":true}";

    @Spec
    CommandSpec spec;

    @Option(
            names = "--rounds",
            paramLabel = "N",
            defaultValue = "20",
            description = "Times each request is sent (default: ${DEFAULT-VALUE}), so the paths the JIT sees first "
                    + "are the ones serving uses.")
    int rounds;

    @Override
    public Integer call() throws Exception {
        Tally tally = warm(rounds, false);
        PrintWriter out = spec.commandLine().getOut();
        out.println("warmup: " + tally.sent() + " requests, " + tally.failed() + " failed");
        return tally.failed() == 0 ? 0 : 1;
    }

    /** Requests sent and those answered with 5xx or not at all. */
    record Tally(int sent, int failed) {}

    /**
     * The demo on free loopback ports, {@code rounds} times the fixed requests through it, then a clean stop. With
     * {@code http1Only} (what {@code usher run --warmup-rounds} uses before it serves) only the HTTP/1.1 requests on
     * raw sockets: the JDK's HTTP client and its TLS client would stay loaded in the server for nothing (measured: 39
     * MiB more RSS at ready with them); and no access log, so the server's log starts with its real traffic.
     */
    static Tally warm(int rounds, boolean http1Only) throws Exception {
        ControllerConfig.Builder config = ControllerConfig.builder()
                .bindAddress("127.0.0.1")
                .adminBindAddress("127.0.0.1")
                .httpPort(0)
                .httpsPort(0)
                .adminPort(0)
                .drainTimeout(Duration.ofSeconds(1));
        if (http1Only) {
            // before `usher run` serves: its access log is the real traffic's, without the warm-up's requests
            config.proxy(ProxySettings.builder()
                    .accessLog(ProxySettings.AccessLogFormat.OFF)
                    .build());
        }
        int sent = 0;
        int failed = 0;
        try (Demo demo = Demo.start(config, new PrintWriter(new StringWriter()))) {
            Controller controller = demo.controller();
            HttpClient h2 = http1Only
                    ? null
                    : HttpClient.newBuilder()
                            .sslContext(trustingLoopbackOnly())
                            .connectTimeout(Duration.ofSeconds(5))
                            .build();
            String https = "https://127.0.0.1:" + controller.httpsPort();
            for (int round = 0; round < rounds; round++) {
                for (String target : TARGETS) {
                    String host = target.substring(0, target.indexOf(' '));
                    String path = target.substring(target.indexOf(' ') + 1);
                    // HTTP/1.1 on raw sockets, routed by Host (the JDK client will not set it)
                    for (String body : List.of("", BODY)) {
                        sent++;
                        if (raw(controller.httpPort(), host, path, body) >= 500) {
                            failed++;
                        }
                    }
                    if (h2 == null) {
                        continue;
                    }
                    // HTTP/2 over TLS: the authority is the address, so the default route answers
                    for (HttpRequest request : List.of(get(https + path), post(https + path))) {
                        sent++;
                        if (h2.send(request, HttpResponse.BodyHandlers.discarding())
                                        .statusCode()
                                >= 500) {
                            failed++;
                        }
                    }
                }
            }
            if (!http1Only) {
                HttpClient plain = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5))
                        .build();
                String admin = "http://127.0.0.1:" + controller.adminPort();
                for (String path : List.of("/readyz", "/healthz", "/metrics", "/debug/routes")) {
                    sent++;
                    HttpRequest request =
                            HttpRequest.newBuilder(URI.create(admin + path)).build();
                    if (plain.send(request, HttpResponse.BodyHandlers.discarding())
                                    .statusCode()
                            != 200) {
                        failed++;
                    }
                }
            }
        }
        return new Tally(sent, failed);
    }

    private static HttpRequest get(String url) {
        return HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10))
                .build();
    }

    private static HttpRequest post(String url) {
        return HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY))
                .build();
    }

    /** One HTTP/1.1 request on its own connection (a POST when {@code body} is not empty); its status, 599 if none. */
    private static int raw(int port, String host, String path, String body) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            String head = (body.isEmpty() ? "GET " : "POST ") + path + " HTTP/1.1\r\nHost: " + host
                    + "\r\nConnection: close\r\n"
                    + (body.isEmpty()
                            ? ""
                            : "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n")
                    + "\r\n";
            OutputStream out = socket.getOutputStream();
            out.write((head + body).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] response = socket.getInputStream().readAllBytes();
            String status = new String(response, 0, Math.min(response.length, 12), StandardCharsets.US_ASCII);
            return status.length() == 12 && status.startsWith("HTTP/1.1 ")
                    ? Integer.parseInt(status.substring(9))
                    : 599;
        }
    }

    /**
     * The demo serves Usher's generated self-signed default certificate, and this client only ever connects to its
     * own listener on 127.0.0.1 in the same process: it accepts the certificate for loopback peers and refuses any
     * other peer.
     */
    private static SSLContext trustingLoopbackOnly() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new LoopbackTrust()}, new SecureRandom());
        return context;
    }

    private static final class LoopbackTrust extends X509ExtendedTrustManager {

        private static void loopback(String peerHost) throws CertificateException {
            if (!"127.0.0.1".equals(peerHost)) {
                throw new CertificateException("warmup trusts only its own loopback listener");
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            loopback(socket.getInetAddress().getHostAddress());
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            loopback(engine.getPeerHost());
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("warmup needs the peer's address");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("warmup is a client only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("warmup is a client only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("warmup is a client only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
