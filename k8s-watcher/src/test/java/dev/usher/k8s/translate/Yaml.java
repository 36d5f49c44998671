package dev.usher.k8s.translate;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Test input written as manifests: readable cases, parsed by fabric8 exactly as the folder source does. */
final class Yaml {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private Yaml() {}

    static List<HasMetadata> objects(String... documents) {
        String text = String.join("\n---\n", documents);
        Object parsed = SERIALIZATION.unmarshal(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        List<HasMetadata> out = new ArrayList<>();
        if (parsed instanceof List<?> list) {
            list.forEach(o -> out.add((HasMetadata) o));
        } else if (parsed != null) {
            out.add((HasMetadata) parsed);
        }
        return out;
    }

    static KubeObjects kube(String... documents) {
        KubeObjects.Builder builder = KubeObjects.builder();
        objects(documents).forEach(builder::add);
        return builder.build();
    }

    static final String OUR_CLASS = """
            apiVersion: networking.k8s.io/v1
            kind: IngressClass
            metadata: {name: usher}
            spec: {controller: usher.dev/ingress-controller}
            """;

    static final String OUR_DEFAULT_CLASS = """
            apiVersion: networking.k8s.io/v1
            kind: IngressClass
            metadata:
              name: usher
              annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
            spec: {controller: usher.dev/ingress-controller}
            """;

    static final String FOREIGN_CLASS = """
            apiVersion: networking.k8s.io/v1
            kind: IngressClass
            metadata:
              name: nginx
              annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
            spec: {controller: k8s.io/ingress-nginx}
            """;

    /** An Ingress of class usher routing {@code host} + Prefix {@code /} to {@code service:port}. */
    static String ingress(String name, String host, String service, Object port) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: %s, namespace: default}
                spec:
                  ingressClassName: usher
                  rules:
                  - host: %s
                    http:
                      paths:
                      - {path: /, pathType: Prefix, backend: {service: {name: %s, port: {%s: %s}}}}
                """.formatted(name, host, service, port instanceof Integer ? "number" : "name", port);
    }

    /** A ClusterIP Service in {@code default} with one port {@code name:port -> targetPort}. */
    static String service(String name, String portName, int port, Object targetPort) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %s, namespace: default}
                spec:
                  ports:
                  - {%sport: %d, targetPort: %s}
                """.formatted(name, portName == null ? "" : "name: " + portName + ", ", port, targetPort);
    }

    /** An EndpointSlice of {@code service} with one port and the given endpoints (YAML flow items). */
    static String slice(String name, String service, String portName, int port, String... endpoints) {
        return """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: %s
                  namespace: default
                  labels: {kubernetes.io/service-name: %s}
                addressType: IPv4
                ports:
                - {%sport: %d, protocol: TCP}
                endpoints: [%s]
                """.formatted(
                name, service, portName == null ? "" : "name: " + portName + ", ", port, String.join(", ", endpoints));
    }
}
