package dev.usher.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usher.k8s.translate.KubeObjects;
import dev.usher.k8s.translate.Translation;
import dev.usher.k8s.translate.Translator;
import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.routing.Route;
import dev.usher.routing.RouteSource;
import dev.usher.routing.RoutingSnapshot;
import dev.usher.routing.RoutingTable;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** YAML as people write it for ingress-nginx (issue 12), read from real files by {@link ManifestParser}. */
final class ManifestYamlTest {

    @TempDir
    Path dir;

    private List<HasMetadata> parse(String yaml) throws Exception {
        Path file = dir.resolve("ingress.yaml");
        Files.writeString(file, yaml);
        return ManifestParser.parse(file);
    }

    private static Ingress ingress(List<HasMetadata> objects) {
        return objects.stream()
                .filter(Ingress.class::isInstance)
                .map(Ingress.class::cast)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void mergeKeys_areResolved() throws Exception {
        Ingress ingress = ingress(parse("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: merged
                  namespace: default
                  annotations: &common
                    nginx.ingress.kubernetes.io/use-regex: "true"
                    nginx.ingress.kubernetes.io/rewrite-target: /$2
                  labels:
                    <<: *common
                    app: shop
                spec:
                  ingressClassName: nginx
                  rules:
                  - host: a.example.com
                    http:
                      paths:
                      - &path
                        path: /api(/|$)(.*)
                        pathType: Prefix
                        backend: {service: {name: shop, port: {number: 80}}}
                      - <<: *path
                        path: /web(/|$)(.*)
                """));
        assertThat(ingress.getSpec().getRules().get(0).getHttp().getPaths()).hasSize(2);
        assertThat(ingress.getSpec()
                        .getRules()
                        .get(0)
                        .getHttp()
                        .getPaths()
                        .get(1)
                        .getPath())
                .isEqualTo("/web(/|$)(.*)");
        assertThat(ingress.getSpec()
                        .getRules()
                        .get(0)
                        .getHttp()
                        .getPaths()
                        .get(1)
                        .getBackend()
                        .getService()
                        .getName())
                .isEqualTo("shop");
        assertThat(ingress.getMetadata().getLabels())
                .containsEntry("app", "shop")
                .containsEntry("nginx.ingress.kubernetes.io/use-regex", "true");
    }

    @Test
    void spacesBeforeTheColon_areRead() throws Exception {
        Ingress ingress = ingress(parse("""
                apiVersion : networking.k8s.io/v1
                kind : Ingress
                metadata :
                  name : spaced
                  namespace : default
                spec :
                  ingressClassName : nginx
                  rules :
                  - host : a.example.com
                    http :
                      paths :
                      - path : /
                        pathType : Prefix
                        backend : {service : {name : shop, port : {number : 80}}}
                """));
        assertThat(ingress.getSpec()
                        .getRules()
                        .get(0)
                        .getHttp()
                        .getPaths()
                        .get(0)
                        .getBackend()
                        .getService()
                        .getName())
                .isEqualTo("shop");
    }

    @Test
    void duplicatedKey_isRefusedWithItsLine() {
        assertThatThrownBy(() -> parse("""
                apiVersion: v1
                kind: Service
                metadata: {name: other, namespace: default}
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: twice
                  namespace: default
                spec:
                  ingressClassName: nginx
                  ingressClassName: usher
                """))
                .isInstanceOf(ManifestParser.Rejected.class)
                .hasMessageContaining("ingressClassName")
                .hasMessageContaining("line 12");
    }

    @Test
    void duplicatedKeyInAFileWithMergeKeys_isRefusedWithItsLineToo() {
        assertThatThrownBy(() -> parse("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: &m
                  name: twice
                  namespace: default
                spec:
                  ingressClassName: nginx
                  rules:
                  - host: a.example.com
                  - host: b.example.com
                    host: c.example.com
                """))
                .isInstanceOf(ManifestParser.Rejected.class)
                .hasMessageContaining("duplicate key host")
                .hasMessageContaining("line 11");
    }

    @Test
    void mergeOfSomethingThatIsNoMapping_isRefused() {
        assertThatThrownBy(() -> parse("""
                apiVersion: v1
                kind: Service
                metadata:
                  <<: [1, 2]
                  name: s
                """))
                .isInstanceOf(ManifestParser.Rejected.class)
                .hasMessageContaining("merge key");
    }

    @Test
    void billionLaughsThroughMergeKeys_isRefusedNotExpanded() {
        StringBuilder yaml = new StringBuilder("a0: &a0 {x: 1}\n");
        for (int i = 1; i < 40; i++) {
            yaml.append("a")
                    .append(i)
                    .append(": &a")
                    .append(i)
                    .append(" {<<: [*a")
                    .append(i - 1)
                    .append("], l: [*a")
                    .append(i - 1)
                    .append(", *a")
                    .append(i - 1)
                    .append("]}\n");
        }
        assertThatThrownBy(() -> parse(yaml.toString())).isInstanceOf(ManifestParser.Rejected.class);
    }

    @Test
    void ruleWithAHostAndNoHttp_servesThatHostFromTheDefaultBackend() throws Exception {
        List<HasMetadata> objects = parse("""
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata: {name: nginx}
                spec: {controller: k8s.io/ingress-nginx}
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: hostonly, namespace: default}
                spec:
                  ingressClassName: nginx
                  defaultBackend: {service: {name: fallback, port: {number: 80}}}
                  rules:
                  - host: quiet.example.com
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: wild, namespace: default}
                spec:
                  ingressClassName: nginx
                  rules:
                  - host: "*.example.com"
                    http:
                      paths:
                      - {path: /, pathType: Prefix, backend: {service: {name: wild, port: {number: 80}}}}
                """);
        KubeObjects.Builder kube = KubeObjects.builder();
        objects.forEach(kube::add);
        Translation translation =
                Translator.translate(kube.build(), new WatcherSettings("nginx", "k8s.io/ingress-nginx", false, null));
        RoutingSnapshot snapshot =
                RoutingSnapshot.builder().addAll(translation.ruleSets()).build(new RoutingTable()::backend);
        assertThat(translation.problems()).noneMatch(p -> p.message().contains("http"));
        Route quiet = snapshot.route("quiet.example.com", "/anything");
        assertThat(quiet.source()).isEqualTo(RouteSource.INGRESS_DEFAULT);
        assertThat(quiet.backend().ref().service()).isEqualTo("fallback");
        assertThat(snapshot.route("loud.example.com", "/").backend().ref().service())
                .isEqualTo("wild");
    }

    @Test
    void folderWithADuplicatedKeyInOneFile_keepsServingTheOtherFiles() throws Exception {
        Files.writeString(dir.resolve("good.yaml"), CLASS + "---\n" + ingressNamed("good"));
        Files.writeString(
                dir.resolve("bad.yaml"),
                ingressNamed("bad")
                        .replace(
                                "  ingressClassName: nginx\n",
                                "  ingressClassName: nginx\n  ingressClassName: nginx\n"));
        ManifestFiles files = new ManifestFiles(dir);
        files.scan(java.util.Set.of(), true, new java.util.HashSet<>());
        Translation translation = Translator.translate(files.objects(new java.util.ArrayList<>()), NGINX);
        assertThat(translation.ruleSets()).extracting(r -> r.name()).containsExactly("good");
        assertThat(files.fileProblems()).singleElement().satisfies(problem -> {
            assertThat(problem.source()).endsWith("bad.yaml");
            assertThat(problem.message()).contains("ingressClassName", "line 6");
        });
    }

    @Test
    void folderWithAFileTooLargeToRead_keepsServingTheOtherFiles() throws Exception {
        Files.writeString(dir.resolve("good.yaml"), CLASS + "---\n" + ingressNamed("good"));
        // A sparse file: 3 GiB that take no disk. Read whole, it is an OutOfMemoryError, not a rejected file.
        try (java.io.RandomAccessFile huge =
                new java.io.RandomAccessFile(dir.resolve("huge.yaml").toFile(), "rw")) {
            huge.setLength(3L << 30);
        }
        ManifestFiles files = new ManifestFiles(dir);
        files.scan(java.util.Set.of(), true, new java.util.HashSet<>());
        Translation translation = Translator.translate(files.objects(new java.util.ArrayList<>()), NGINX);
        assertThat(translation.ruleSets()).extracting(r -> r.name()).containsExactly("good");
        assertThat(files.fileProblems()).singleElement().satisfies(problem -> {
            assertThat(problem.source()).endsWith("huge.yaml");
            assertThat(problem.message()).contains("larger than");
        });
    }

    @Test
    void folderWithAFileNestedTooDeeplyToParse_keepsServingTheOtherFiles() throws Exception {
        Files.writeString(dir.resolve("good.yaml"), CLASS + "---\n" + ingressNamed("good"));
        // The YAML parser recurses per level: this is a StackOverflowError, not a rejected file.
        Files.writeString(
                dir.resolve("deep.yaml"),
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, labels: " + "[".repeat(100_000)
                        + "]".repeat(100_000) + "}\n");
        ManifestFiles files = new ManifestFiles(dir);
        files.scan(java.util.Set.of(), true, new java.util.HashSet<>());
        Translation translation = Translator.translate(files.objects(new java.util.ArrayList<>()), NGINX);
        assertThat(translation.ruleSets()).extracting(r -> r.name()).containsExactly("good");
        assertThat(files.fileProblems()).singleElement().satisfies(problem -> {
            assertThat(problem.source()).endsWith("deep.yaml");
            assertThat(problem.message()).contains("nested too deeply");
        });
    }

    private static final WatcherSettings NGINX = new WatcherSettings("nginx", "k8s.io/ingress-nginx", false, null);

    private static final String CLASS = """
            apiVersion: networking.k8s.io/v1
            kind: IngressClass
            metadata: {name: nginx}
            spec: {controller: k8s.io/ingress-nginx}
            """;

    private static String ingressNamed(String name) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: %1$s, namespace: default}
                spec:
                  ingressClassName: nginx
                  rules:
                  - host: %1$s.example.com
                    http:
                      paths:
                      - {path: /, pathType: Prefix, backend: {service: {name: %1$s, port: {number: 80}}}}
                """.formatted(name);
    }
}
