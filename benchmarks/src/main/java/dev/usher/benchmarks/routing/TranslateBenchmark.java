package dev.usher.benchmarks.routing;

import dev.usher.k8s.translate.ConversionMemo;
import dev.usher.k8s.translate.KubeObjects;
import dev.usher.k8s.translate.Translation;
import dev.usher.k8s.translate.Translator;
import dev.usher.k8s.translate.WatcherSettings;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The watcher's translation of {@code ingresses} Ingresses (one host, three paths and three ingress-nginx
 * annotations each, one Service per ten) after one Ingress changed, as on an edit: {@code scratch} converts every
 * Ingress again, {@code memo} reuses the previous translation's conversions of the unchanged ones
 * ({@link ConversionMemo}, what the folder and cluster sources do).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TranslateBenchmark {

    @Param({"1000"})
    int ingresses;

    private final WatcherSettings settings = WatcherSettings.defaults();
    private final ConversionMemo memo = new ConversionMemo();
    private List<HasMetadata> objects;
    private HasMetadata[] edits;
    private int edit;

    @Setup
    public void setUp() {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata: {name: usher}
                spec: {controller: usher.dev/ingress-controller}
                """);
        for (int s = 0; s < Math.max(1, ingresses / 10); s++) {
            yaml.append("---\n").append(service(s));
        }
        for (int i = 0; i < ingresses; i++) {
            yaml.append("---\n").append(ingress(i, "app-" + i + ".example.com"));
        }
        objects = parse(yaml.toString());
        // two versions of Ingress 0 to alternate between, so every translation sees one changed instance
        edits = new HasMetadata[] {
            parse(ingress(0, "edited-a.example.com")).get(0),
            parse(ingress(0, "edited-b.example.com")).get(0)
        };
    }

    @Benchmark
    public Translation scratch() {
        return Translator.translate(nextEdit(), settings);
    }

    @Benchmark
    public Translation memo() {
        return Translator.translate(nextEdit(), settings, memo);
    }

    private KubeObjects nextEdit() {
        KubeObjects.Builder builder = KubeObjects.builder().addAll(objects);
        builder.add(edits[edit++ & 1]); // replaces Ingress 0
        return builder.build();
    }

    private static String service(int s) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: svc-%d, namespace: default}
                spec:
                  ports:
                  - {name: http, port: 80, targetPort: 8080}
                """.formatted(s);
    }

    private static String ingress(int i, String host) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: app-%d
                  namespace: default
                  annotations:
                    nginx.ingress.kubernetes.io/proxy-body-size: 8m
                    nginx.ingress.kubernetes.io/proxy-read-timeout: "120"
                    nginx.ingress.kubernetes.io/ssl-redirect: "false"
                spec:
                  ingressClassName: usher
                  rules:
                  - host: %s
                    http:
                      paths:
                      - {path: /, pathType: Prefix, backend: {service: {name: svc-%d, port: {name: http}}}}
                      - {path: /api, pathType: Prefix, backend: {service: {name: svc-%d, port: {number: 80}}}}
                      - {path: /healthz, pathType: Exact, backend: {service: {name: svc-%d, port: {name: http}}}}
                """.formatted(i, host, i / 10, i / 10, i / 10);
    }

    private static List<HasMetadata> parse(String yaml) {
        Object parsed = new KubernetesSerialization()
                .unmarshal(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
        List<HasMetadata> out = new ArrayList<>();
        if (parsed instanceof List<?> list) {
            list.forEach(o -> out.add((HasMetadata) o));
        } else {
            out.add((HasMetadata) parsed);
        }
        return out;
    }
}
