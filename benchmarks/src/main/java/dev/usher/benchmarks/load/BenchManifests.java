package dev.usher.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Writes the manifests folder a benchmark runs Usher on: an IngressClass, one Service and Endpoints per origin, and
 * one Ingress per host with {@code paths} Prefix rules spread over the origins.
 *
 * <p>Host {@code i} is {@code h<i>.bench.test}; its path {@code j} is {@code /p<j>} and goes to origin
 * {@code (i * paths + j) % origins}, so with enough rules every origin is used. Every file is written to a hidden
 * temporary name and renamed into place atomically, so the watcher never reads half a file.
 */
public final class BenchManifests {

    /** The IngressClass every generated Ingress names. */
    public static final String CLASS_NAME = "usher";

    private BenchManifests() {}

    /** Name of the Service (and Endpoints) of origin {@code index}. */
    public static String serviceName(int index) {
        return "origin-" + index;
    }

    /** The Host header of host {@code index}. */
    public static String hostName(int index) {
        return "h" + index + ".bench.test";
    }

    /**
     * Writes the whole folder and returns every (host, path) the routes serve, host by host.
     *
     * @param originPorts the loopback port of each origin; their count is the number of Services
     */
    public static List<RequestTarget> write(Path dir, int hosts, int paths, List<Integer> originPorts)
            throws IOException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(originPorts, "originPorts");
        if (hosts < 1 || paths < 1 || originPorts.isEmpty()) {
            throw new IllegalArgumentException("need at least one host, one path and one origin");
        }
        Files.createDirectories(dir);
        writeAtomically(dir, "ingressclass.yaml", ingressClass());
        StringBuilder services = new StringBuilder();
        for (int i = 0; i < originPorts.size(); i++) {
            services.append(service(serviceName(i)));
            writeAtomically(
                    dir,
                    "endpoints-" + serviceName(i) + ".yaml",
                    endpoints(serviceName(i), List.of(originPorts.get(i))));
        }
        writeAtomically(dir, "services.yaml", services.toString());
        List<RequestTarget> targets = new ArrayList<>();
        for (int h = 0; h < hosts; h++) {
            List<Rule> rules = new ArrayList<>();
            for (int p = 0; p < paths; p++) {
                String path = "/p" + p;
                rules.add(new Rule(path, "Prefix", serviceName((h * paths + p) % originPorts.size())));
                targets.add(new RequestTarget(hostName(h), path));
            }
            writeAtomically(dir, "ingress-h" + h + ".yaml", ingress("bench-h" + h, hostName(h), rules));
        }
        return targets;
    }

    /** One path rule of a generated Ingress. */
    public record Rule(String path, String pathType, String service) {}

    static String ingressClass() {
        return """
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata:
                  name: %s
                spec:
                  controller: usher.dev/ingress-controller
                """.formatted(CLASS_NAME);
    }

    static String service(String name) {
        return """
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: %s
                spec:
                  ports:
                  - name: http
                    port: 8080
                    protocol: TCP
                """.formatted(name);
    }

    /** Endpoints of a Service: one ready address {@code 127.0.0.1} per port, port named {@code http}. */
    public static String endpoints(String name, List<Integer> ports) {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: v1
                kind: Endpoints
                metadata:
                  name: %s
                subsets:
                """.formatted(name));
        for (int port : ports) {
            yaml.append("""
                    - addresses:
                      - ip: 127.0.0.1
                      ports:
                      - name: http
                        port: %d
                        protocol: TCP
                    """.formatted(port));
        }
        return yaml.toString();
    }

    /** An Ingress of our class on one host with the given rules, all to port 8080 of their Service. */
    public static String ingress(String name, String host, List<Rule> rules) {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: %s
                spec:
                  ingressClassName: %s
                  rules:
                  - host: %s
                    http:
                      paths:
                """.formatted(name, CLASS_NAME, host));
        for (Rule rule : rules) {
            yaml.append("""
                          - path: %s
                            pathType: %s
                            backend:
                              service:
                                name: %s
                                port:
                                  number: 8080
                    """.formatted(rule.path(), rule.pathType(), rule.service()));
        }
        return yaml.toString();
    }

    /** Writes {@code content} to a hidden temporary file next to {@code name}, then renames it over {@code name}. */
    public static void writeAtomically(Path dir, String name, String content) throws IOException {
        Path target = dir.resolve(name);
        Path temp = dir.resolve("." + name + ".tmp");
        Files.writeString(temp, content, StandardCharsets.UTF_8);
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
