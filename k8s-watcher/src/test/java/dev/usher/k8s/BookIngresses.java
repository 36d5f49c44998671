package dev.usher.k8s;

/**
 * The book's three legacy Ingresses (Kubernetes: Up and Running, chapter "Ingress"), in both legacy API groups:
 * the manifests source's tests and deploy's end-to-end test (through this module's test-jar) route them.
 */
public final class BookIngresses {

    /** simple-ingress (default backend alpaca), host-ingress (alpaca.example.com), path-ingress (bandicoot, /a/). */
    public static final String LEGACY_YAML = """
            apiVersion: extensions/v1beta1
            kind: Ingress
            metadata:
              name: simple-ingress
            spec:
              backend:
                serviceName: alpaca
                servicePort: 8080
            ---
            apiVersion: extensions/v1beta1
            kind: Ingress
            metadata:
              name: host-ingress
            spec:
              rules:
              - host: alpaca.example.com
                http:
                  paths:
                  - backend:
                      serviceName: alpaca
                      servicePort: 8080
            ---
            apiVersion: networking.k8s.io/v1beta1
            kind: Ingress
            metadata:
              name: path-ingress
            spec:
              rules:
              - host: bandicoot.example.com
                http:
                  paths:
                  - path: "/"
                    backend:
                      serviceName: bandicoot
                      servicePort: 8080
                  - path: "/a/"
                    backend:
                      serviceName: alpaca
                      servicePort: 8080
            """;

    private BookIngresses() {}
}
