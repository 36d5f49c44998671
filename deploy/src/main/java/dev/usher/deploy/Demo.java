package dev.usher.deploy;

import dev.usher.proxy.echo.EchoServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code usher demo}: three echo origins ({@code be-default}, {@code alpaca}, {@code bandicoot}) on loopback and Usher
 * on a temporary copy of the bundled examples whose {@code endpoints.yaml} names the origins' real ports.
 */
final class Demo implements AutoCloseable {

    static final String NAMESPACE = "default";

    private final List<EchoServer> origins = new ArrayList<>();
    private Path manifests;
    private Controller controller;

    private Demo() {}

    /**
     * Starts the origins and Usher with {@code base} (ports, bind address, proxy settings) on the example copy,
     * then prints what to try to {@code out}.
     */
    static Demo start(ControllerConfig.Builder base, PrintWriter out) throws IOException {
        Demo demo = new Demo();
        try {
            Map<String, Integer> ports = new LinkedHashMap<>();
            for (String name : Examples.FIXED_PORTS.keySet()) {
                EchoServer origin = EchoServer.builder()
                        .bindAddress("127.0.0.1")
                        .port(0)
                        .name(name)
                        .namespace(NAMESPACE)
                        .service(name)
                        .pod(name + "-0")
                        .build()
                        .start();
                demo.origins.add(origin);
                ports.put(name, origin.port());
            }
            demo.manifests = Files.createTempDirectory("usher-demo-");
            Examples.copyTo(demo.manifests);
            Examples.writeEndpoints(demo.manifests, ports);
            demo.controller = Controller.start(base.manifests(demo.manifests).build());
        } catch (IOException | RuntimeException e) {
            demo.close();
            throw e;
        }
        demo.printBanner(out);
        return demo;
    }

    Controller controller() {
        return controller;
    }

    Path manifests() {
        return manifests;
    }

    private void printBanner(PrintWriter out) {
        ControllerConfig config = controller.config();
        String host = config.bindAddress().equals("0.0.0.0") ? "127.0.0.1" : config.bindAddress();
        int http = controller.httpPort();
        String base = "http://" + host + ":" + http;
        String admin =
                "http://" + (config.adminBindAddress().equals("0.0.0.0") ? "127.0.0.1" : config.adminBindAddress())
                        + ":" + controller.adminPort();
        out.println();
        out.println("Usher demo is running.");
        out.println();
        out.print("  origins:   ");
        for (int i = 0; i < origins.size(); i++) {
            out.print((i == 0 ? "" : ", ") + origins.get(i).name() + " 127.0.0.1:"
                    + origins.get(i).port());
        }
        out.println();
        out.println("  manifests: " + manifests + " (a copy of deploy/examples with these ports)");
        out.println("  proxy:     " + base
                + (controller.httpsPort() < 0
                        ? ""
                        : ", https://" + host + ":" + controller.httpsPort() + " (self-signed)"));
        out.println();
        out.println("To use the names in a browser, add this line to /etc/hosts:");
        out.println();
        out.println("  " + host + " alpaca.example.com bandicoot.example.com");
        out.println();
        out.println("Try:");
        out.println();
        out.println("  curl -H 'Host: alpaca.example.com' " + base + "/");
        out.println("  curl --resolve alpaca.example.com:" + http + ":" + host + " http://alpaca.example.com:" + http
                + "/");
        out.println("  curl -H 'Host: bandicoot.example.com' " + base + "/");
        out.println("  curl -H 'Host: bandicoot.example.com' " + base + "/a/");
        out.println("  curl -H 'Host: unknown.example.com' " + base + "/     # the default backend, be-default");
        if (controller.httpsPort() >= 0) {
            int https = controller.httpsPort();
            out.println("  curl -k --resolve alpaca.example.com:" + https + ":" + host + " https://alpaca.example.com:"
                    + https + "/     # HTTPS, self-signed default certificate");
        }
        out.println();
        out.println("Admin:");
        out.println();
        out.println("  " + admin + "/     # the live page: routes, explain form, figures");
        out.println("  " + admin + "/readyz");
        out.println("  " + admin + "/metrics");
        out.println("  " + admin + "/debug/routes");
        out.println("  " + admin + "/debug/explain?host=bandicoot.example.com&path=/a/");
        out.println();
        out.println("Edit the files in the manifests folder to change routing live. Press Ctrl-C to stop.");
        out.flush();
    }

    /** Stops Usher (with a drain), then the origins, and deletes the temporary manifests. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (controller != null) {
            controller.close();
            controller = null;
        }
        for (EchoServer origin : origins) {
            origin.close();
        }
        origins.clear();
        if (manifests != null) {
            deleteTree(manifests);
            manifests = null;
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // Best effort: a leftover temp folder is harmless.
        }
    }
}
