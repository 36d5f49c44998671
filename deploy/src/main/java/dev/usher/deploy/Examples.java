package dev.usher.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bundled {@code deploy/examples/} manifests (the book's Ingress chapter) and the Endpoints generator.
 *
 * <p>The folder is packed into the jar, so {@code usher demo} works from anywhere. The shipped {@code endpoints.yaml}
 * is exactly what {@link #endpointsYaml} writes for the documented fixed ports, so a hand-run setup and the demo read
 * the same shape.
 */
final class Examples {

    /** Every manifest in {@code deploy/examples/}, in the order they are copied. */
    static final List<String> FILES = List.of(
            "ingressclass.yaml",
            "services.yaml",
            "endpoints.yaml",
            "simple-ingress.yaml",
            "host-ingress.yaml",
            "path-ingress.yaml");

    static final String ENDPOINTS_FILE = "endpoints.yaml";

    /** The origins and the ports the shipped {@code endpoints.yaml} expects them on. */
    static final Map<String, Integer> FIXED_PORTS = fixedPorts();

    private Examples() {}

    /** Copies the bundled manifests into {@code dir}. */
    static void copyTo(Path dir) throws IOException {
        for (String file : FILES) {
            try (InputStream in = Examples.class.getResourceAsStream("examples/" + file)) {
                if (in == null) {
                    throw new IOException("the usher jar lacks the bundled example " + file);
                }
                Files.copy(in, dir.resolve(file));
            }
        }
    }

    /** Endpoints for each named origin: one ready address, {@code 127.0.0.1}, port named {@code http}. */
    static String endpointsYaml(Map<String, Integer> ports) {
        StringBuilder yaml = new StringBuilder("""
                # Where the Services' pods are: one echo origin each on 127.0.0.1. `usher demo` rewrites this file in
                # its copy with the ports its origins actually got; these are the ports for running them by hand:
                #   usher echo --port 9001 --name be-default   (and alpaca on 9002, bandicoot on 9003)
                """);
        boolean first = true;
        for (Map.Entry<String, Integer> origin : ports.entrySet()) {
            if (!first) {
                yaml.append("---\n");
            }
            first = false;
            yaml.append("""
                    apiVersion: v1
                    kind: Endpoints
                    metadata:
                      name: %s
                    subsets:
                    - addresses:
                      - ip: 127.0.0.1
                      ports:
                      - name: http
                        port: %d
                        protocol: TCP
                    """.formatted(origin.getKey(), origin.getValue()));
        }
        return yaml.toString();
    }

    /** Replaces {@code endpoints.yaml} in {@code dir}; done before Usher starts on the folder. */
    static void writeEndpoints(Path dir, Map<String, Integer> ports) throws IOException {
        Files.writeString(dir.resolve(ENDPOINTS_FILE), endpointsYaml(ports), StandardCharsets.UTF_8);
    }

    private static Map<String, Integer> fixedPorts() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("be-default", 9001);
        ports.put("alpaca", 9002);
        ports.put("bandicoot", 9003);
        return Collections.unmodifiableMap(ports);
    }
}
