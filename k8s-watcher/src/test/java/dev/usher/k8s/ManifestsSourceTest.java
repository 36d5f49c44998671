package dev.usher.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.routing.RoutingTable;
import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.CertificateStore;
import dev.usher.tls.DefaultCertificate;
import dev.usher.tls.PemCertificates;
import dev.usher.tls.TlsCertificate;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The manifests folder, end to end into a real routing table, with real files in a temporary folder. */
final class ManifestsSourceTest {

    @TempDir
    Path dir;

    private final RoutingTable table = new RoutingTable();
    private final SnapshotPublisher publisher = new SnapshotPublisher(table, null);
    private final WatcherSettings settings = WatcherSettings.defaults().withWatchIngressWithoutClass(true);
    private ManifestsSource source;

    @BeforeEach
    void services() throws IOException {
        write(
                "backends/services.yaml",
                service("alpaca", null, "127.0.0.1", 41001) + "---\n"
                        + service("bandicoot", null, "127.0.0.1", 41002) + "---\n"
                        + service("be-default", null, "127.0.0.1", 41003));
    }

    @AfterEach
    void close() {
        if (source != null) {
            source.close();
        }
    }

    @Test
    void start_readsTheFolderRecursively_andPublishesBeforeReturning() throws IOException {
        write("ingresses/deep/host.yaml", ingress("a", "alpaca.example.com", "/", "alpaca"));
        source = ManifestsSource.start(dir, settings, publisher);
        assertThat(publisher.ready()).isTrue();
        assertThat(Routes.target(table, "alpaca.example.com", "/x")).isEqualTo("alpaca:8080");
        assertThat(Routes.awaitEndpoints(table, "alpaca.example.com", "/", List.of("127.0.0.1:41001")))
                .containsExactly("127.0.0.1:41001");
        assertThat(publisher.problems()).isEmpty();
    }

    @Test
    void start_onAMissingFolder_throws() {
        assertThatThrownBy(() -> ManifestsSource.start(dir.resolve("nope"), settings, publisher))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not a directory");
        assertThat(publisher.ready()).isFalse();
    }

    @Test
    void bookLegacyIngresses_routeAsTheBookSays() throws IOException {
        write("book.yaml", BookIngresses.LEGACY_YAML);
        source = ManifestsSource.start(dir, settings, publisher);
        assertThat(Routes.target(table, "alpaca.example.com", "/")).isEqualTo("alpaca:8080");
        assertThat(Routes.target(table, "bandicoot.example.com", "/")).isEqualTo("bandicoot:8080");
        assertThat(Routes.target(table, "bandicoot.example.com", "/a/")).isEqualTo("alpaca:8080");
        assertThat(Routes.target(table, "bandicoot.example.com", "/b")).isEqualTo("bandicoot:8080");
        assertThat(Routes.target(table, "unknown.example.com", "/")).isEqualTo("alpaca:8080");
        assertThat(table.current().route("bandicoot.example.com", "/").backend().endpoints())
                .extracting(Object::toString)
                .containsExactly("127.0.0.1:41002");
        assertThat(publisher.problems()).isEmpty();
    }

    @Test
    void addEditDelete_routingFollows() throws IOException {
        source = eventsOnly();
        assertThat(Routes.target(table, "new.example.com", "/")).isEqualTo("404");

        write("new.yaml", ingress("n", "new.example.com", "/", "alpaca"));
        assertThat(Routes.await(table, "new.example.com", "/", "alpaca:8080")).isEqualTo("alpaca:8080");

        write("new.yaml", ingress("n", "new.example.com", "/", "bandicoot"));
        assertThat(Routes.await(table, "new.example.com", "/", "bandicoot:8080"))
                .isEqualTo("bandicoot:8080");

        Files.delete(dir.resolve("new.yaml"));
        assertThat(Routes.await(table, "new.example.com", "/", "404")).isEqualTo("404");
    }

    @Test
    void editorStyleRenameIntoPlace_isApplied() throws IOException {
        write("site.yaml", ingress("s", "site.example.com", "/", "alpaca"));
        source = eventsOnly();
        assertThat(Routes.target(table, "site.example.com", "/")).isEqualTo("alpaca:8080");

        Path temp = write(".site.yaml.swp", ingress("s", "site.example.com", "/", "bandicoot"));
        Files.move(temp, dir.resolve("site.yaml"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        assertThat(Routes.await(table, "site.example.com", "/", "bandicoot:8080"))
                .isEqualTo("bandicoot:8080");
    }

    @Test
    void configMapVolumeSwap_isApplied_andTheOldVersionGoingAwayDropsNothing() throws IOException {
        // How the kubelet presents a ConfigMap volume: each key a symlink through ..data, swapped in one rename.
        write("..2026_12_03_a/site.yaml", ingress("s", "site.example.com", "/", "alpaca"));
        Files.createSymbolicLink(dir.resolve("..data"), Path.of("..2026_12_03_a"));
        Files.createSymbolicLink(dir.resolve("site.yaml"), Path.of("..data/site.yaml"));
        source = eventsOnly();
        assertThat(Routes.target(table, "site.example.com", "/")).isEqualTo("alpaca:8080");

        write("..2026_12_03_b/site.yaml", ingress("s", "site.example.com", "/", "bandicoot"));
        Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of("..2026_12_03_b"));
        Files.move(
                dir.resolve("..data_tmp"),
                dir.resolve("..data"),
                StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        Files.delete(dir.resolve("..2026_12_03_a/site.yaml"));
        Files.delete(dir.resolve("..2026_12_03_a"));
        assertThat(Routes.await(table, "site.example.com", "/", "bandicoot:8080"))
                .isEqualTo("bandicoot:8080");
        assertThat(publisher.problems()).isEmpty();
    }

    @Test
    void folderMovedInAndOut_itsFilesComeAndGo_andFoldersMadeInsideItAreFollowed() throws IOException {
        source = eventsOnly();
        write(".staging/team/app.yaml", ingress("app", "app.example.com", "/", "alpaca"));
        Files.move(dir.resolve(".staging/team"), dir.resolve("team"), StandardCopyOption.ATOMIC_MOVE);
        assertThat(Routes.await(table, "app.example.com", "/", "alpaca:8080")).isEqualTo("alpaca:8080");

        write("team/nested/more.yaml", ingress("more", "more.example.com", "/", "bandicoot"));
        assertThat(Routes.await(table, "more.example.com", "/", "bandicoot:8080"))
                .isEqualTo("bandicoot:8080");
        write("team/nested/more.yaml", ingress("more", "more.example.com", "/", "alpaca"));
        assertThat(Routes.await(table, "more.example.com", "/", "alpaca:8080")).isEqualTo("alpaca:8080");

        Files.move(dir.resolve("team"), dir.resolve(".staging/gone"), StandardCopyOption.ATOMIC_MOVE);
        assertThat(Routes.await(table, "app.example.com", "/", "404")).isEqualTo("404");
        assertThat(Routes.await(table, "more.example.com", "/", "404")).isEqualTo("404");
    }

    @Test
    void anEditIsTimedFromItsFirstEventToItsPublish_theStartIsNot() throws IOException {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SnapshotPublisher timed = new SnapshotPublisher(table, null, registry);
        source = ManifestsSource.start(dir, settings, timed);
        Timer propagation = registry.get("usher.config.propagation").timer();
        assertThat(propagation.count()).isZero();

        write("new.yaml", ingress("n", "new.example.com", "/", "alpaca"));
        assertThat(Routes.await(table, "new.example.com", "/", "alpaca:8080")).isEqualTo("alpaca:8080");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> propagation.count() >= 1);
        assertThat(propagation.totalTime(TimeUnit.NANOSECONDS)).isPositive();
    }

    @Test
    void brokenFile_keepsItsLastGoodObjects_andIsReported_untilFixed() throws IOException {
        write("site.yaml", ingress("s", "site.example.com", "/", "alpaca"));
        source = ManifestsSource.start(dir, settings, publisher);
        String file = dir.resolve("site.yaml").toString();

        write("site.yaml", ingress("s", "site.example.com", "/", "bandicoot").replace("paths:", "paths: [oops"));
        assertThat(awaitProblemAbout(file)).isTrue();
        assertThat(Routes.target(table, "site.example.com", "/")).isEqualTo("alpaca:8080");
        assertThat(publisher.problems()).singleElement().satisfies(p -> assertThat(p.message())
                .contains("keeping its last good version (1 objects)"));

        write("site.yaml", ingress("s", "site.example.com", "/", "bandicoot"));
        assertThat(Routes.await(table, "site.example.com", "/", "bandicoot:8080"))
                .isEqualTo("bandicoot:8080");
        assertThat(publisher.problems()).isEmpty();
    }

    /**
     * A new version of a file with one Ingress that the API server would refuse is rejected whole (the other
     * Ingress's change too), the problem says why, and the file's last good version serves.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            invalid path          | /       | relative         | /      | path must start with '/'
            refused by API server | /public | /public/../admin | /admin | '/public/../admin' must not contain '/../'; keeping its last good version
            """)
    void fileWithAnIngressTheApiServerRefuses_isRejectedWhole_andItsLastGoodVersionServes(
            String why, String path, String refusedPath, String refusedLookup, String problem) throws IOException {
        write("site.yaml", ingress("s", "site.example.com", path, "alpaca"));
        source = ManifestsSource.start(dir, settings, publisher);
        String file = dir.resolve("site.yaml").toString();

        write(
                "site.yaml",
                ingress("s", "site.example.com", path, "bandicoot") + "---\n"
                        + ingress("t", "other.example.com", refusedPath, "alpaca"));
        assertThat(awaitProblemAbout(file)).isTrue();
        assertThat(publisher.problems()).singleElement().satisfies(p -> assertThat(p.message())
                .contains(problem.split("; ")));
        assertThat(Routes.target(table, "site.example.com", path)).isEqualTo("alpaca:8080");
        assertThat(Routes.target(table, "other.example.com", refusedLookup)).isEqualTo("404");
    }

    @Test
    void fileWithARefusedSnippet_isNotRejected_theIngressServes_andTheSnippetIsReported() throws IOException {
        write(
                "site.yaml",
                ingress("s", "site.example.com", "/public", "alpaca")
                        .replace(
                                "metadata: {name: s}",
                                "metadata: {name: s, annotations: {nginx.ingress.kubernetes.io/server-snippet: 'return 200;'}}"));
        source = ManifestsSource.start(dir, settings, publisher);

        assertThat(Routes.target(table, "site.example.com", "/public")).isEqualTo("alpaca:8080");
        assertThat(publisher.problems()).singleElement().satisfies(p -> assertThat(p.message())
                .isEqualTo("annotation nginx.ingress.kubernetes.io/server-snippet: refused: snippets would inject "
                        + "configuration (IngressNightmare)"));
    }

    @Test
    void jsonDocumentFollowedByMoreDocuments_everyDocumentIsRead() throws IOException {
        write("mixed.json", """
                {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "j"},
                 "spec": {"rules": [{"host": "json.example.com", "http": {"paths": [{"path": "/",
                   "pathType": "Prefix", "backend": {"service": {"name": "alpaca", "port": {"number": 8080}}}}]}}]}}
                ---
                """ + ingress("y", "yaml.example.com", "/", "bandicoot") + """
                ---
                {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "k"},
                 "spec": {"rules": [{"host": "json2.example.com", "http": {"paths": [{"path": "/",
                   "pathType": "Prefix", "backend": {"service": {"name": "alpaca", "port": {"number": 8080}}}}]}}]}}
                """);
        source = ManifestsSource.start(dir, settings, publisher);
        assertThat(Routes.target(table, "json.example.com", "/")).isEqualTo("alpaca:8080");
        assertThat(Routes.target(table, "yaml.example.com", "/")).isEqualTo("bandicoot:8080");
        assertThat(Routes.target(table, "json2.example.com", "/")).isEqualTo("alpaca:8080");
        assertThat(publisher.problems()).isEmpty();
    }

    @Test
    void jsonDocumentFollowedByTextThatIsNoDocument_rejectsTheFile_withAClearReason() throws IOException {
        write("broken.json", """
                {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "j"},
                 "spec": {"rules": [{"host": "json.example.com", "http": {"paths": [{"path": "/",
                   "pathType": "Prefix", "backend": {"service": {"name": "alpaca", "port": {"number": 8080}}}}]}}]}}
                } trailing: [unclosed
                """);
        source = ManifestsSource.start(dir, settings, publisher);
        assertThat(Routes.target(table, "json.example.com", "/")).isEqualTo("404");
        assertThat(publisher.problems()).singleElement().satisfies(p -> {
            assertThat(p.source()).isEqualTo(dir.resolve("broken.json").toString());
            assertThat(p.message()).contains("more content after its first JSON document");
        });
    }

    @Test
    void namedServicePort_usesTheEndpointsPortOfTheSameName() throws IOException {
        write(
                "named.yaml",
                service("web", "http", "127.0.0.1", 41010) + "---\n"
                        + ingress("w", "web.example.com", "/", "web").replace("number: 8080", "name: http"));
        source = ManifestsSource.start(dir, settings, publisher);
        assertThat(Routes.target(table, "web.example.com", "/")).isEqualTo("web:http");
        assertThat(table.current().route("web.example.com", "/").backend().endpoints())
                .extracting(Object::toString)
                .containsExactly("127.0.0.1:41010");
    }

    @Test
    void notReadyAddresses_areNotUsed() throws IOException {
        write("ready.yaml", """
                apiVersion: v1
                kind: Service
                metadata: {name: half}
                spec: {ports: [{port: 8080}]}
                ---
                apiVersion: v1
                kind: Endpoints
                metadata: {name: half}
                subsets:
                - addresses: [{ip: 127.0.0.1}]
                  notReadyAddresses: [{ip: 127.0.0.2}]
                  ports: [{port: 41020}]
                ---
                """ + ingress("h", "half.example.com", "/", "half"));
        source = ManifestsSource.start(dir, settings, publisher);
        assertThat(table.current().route("half.example.com", "/").backend().endpoints())
                .extracting(Object::toString)
                .containsExactly("127.0.0.1:41020");
    }

    @Test
    void multiDocumentYaml_jsonAndListKinds_areAllRead_unknownKindsIgnored() throws IOException {
        write(
                "multi.yml",
                ingress("m1", "one.example.com", "/", "alpaca") + "---\n"
                        + "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: b}\n---\n"
                        + ingress("m2", "two.example.com", "/", "bandicoot"));
        write("list.json", """
                {"apiVersion": "v1", "kind": "List", "items": [
                  {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "j"},
                   "spec": {"rules": [{"host": "json.example.com", "http": {"paths": [{"path": "/",
                     "pathType": "Prefix", "backend": {"service": {"name": "alpaca", "port": {"number": 8080}}}}]}}]}}
                ]}
                """);
        write("notes.txt", "not a manifest: ignored");
        source = ManifestsSource.start(dir, settings, publisher);
        assertThat(Routes.target(table, "one.example.com", "/")).isEqualTo("alpaca:8080");
        assertThat(Routes.target(table, "two.example.com", "/")).isEqualTo("bandicoot:8080");
        assertThat(Routes.target(table, "json.example.com", "/")).isEqualTo("alpaca:8080");
        assertThat(publisher.problems()).isEmpty();
    }

    @Test
    void ingressOfAForeignClass_isIgnored() throws IOException {
        write(
                "classes.yaml",
                """
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata: {name: nginx}
                spec: {controller: k8s.io/ingress-nginx}
                ---
                """
                        + ingress("f", "foreign.example.com", "/", "alpaca")
                                .replace("spec:\n", "spec:\n  ingressClassName: nginx\n"));
        source = ManifestsSource.start(dir, settings, publisher);
        assertThat(Routes.target(table, "foreign.example.com", "/")).isEqualTo("404");
    }

    @Test
    void sameObjectInTwoFiles_firstFileWins_andTheCopyIsReported() throws IOException {
        write("a.yaml", ingress("dup", "dup.example.com", "/", "alpaca"));
        write("b.yaml", ingress("dup", "dup.example.com", "/", "bandicoot"));
        source = ManifestsSource.start(dir, settings, publisher);
        assertThat(Routes.target(table, "dup.example.com", "/")).isEqualTo("alpaca:8080");
        assertThat(publisher.problems()).singleElement().satisfies(p -> {
            assertThat(p.source()).isEqualTo(dir.resolve("b.yaml").toString());
            assertThat(p.message()).contains("also defined in");
        });
    }

    @Test
    void tlsSecretFile_givesItsCertificateToTheIngressHosts_andABrokenOneFallsBackToTheDefault() throws IOException {
        TlsCertificate cert =
                CertificateGenerator.forHosts("secure.example.com").generate("generated");
        write(
                "tls.yaml",
                ingress("s", "secure.example.com", "/", "alpaca")
                                .replace(
                                        "spec:\n",
                                        "spec:\n  tls: [{hosts: [secure.example.com], secretName: secure-cert}]\n")
                        + "---\n"
                        + """
                apiVersion: v1
                kind: Secret
                metadata: {name: secure-cert}
                type: kubernetes.io/tls
                stringData:
                  tls.crt: |
                %s
                  tls.key: |
                %s
                """.formatted(
                                indent(PemCertificates.certificatesPem(cert.chain())),
                                indent(PemCertificates.privateKeyPem(cert.key(), PemCertificates.KeyFormat.PKCS8))));
        CertificateStore store = CertificateStore.create(DefaultCertificate.generate());
        SnapshotPublisher withStore = new SnapshotPublisher(table, store);
        source = ManifestsSource.start(dir, settings, withStore);
        assertThat(store.certificateFor("secure.example.com").id()).isEqualTo("default/secure-cert");
        assertThat(withStore.problems()).isEmpty();

        write("tls.yaml", Files.readString(dir.resolve("tls.yaml")).replace("BEGIN CERTIFICATE", "BEGIN GARBAGE"));
        assertThat(Routes.awaitValue(
                        () -> store.certificateFor("secure.example.com").id(), "default"))
                .isEqualTo("default");
        assertThat(withStore.problems()).anyMatch(p -> p.message().contains("Secret default/secure-cert"));
        assertThat(Routes.target(table, "secure.example.com", "/")).isEqualTo("alpaca:8080");
    }

    private static String indent(byte[] pem) {
        return new String(pem, StandardCharsets.US_ASCII)
                .lines()
                .map(l -> "    " + l)
                .collect(Collectors.joining("\n"));
    }

    @Test
    void close_stopsTheWatcherThread() throws IOException {
        source = ManifestsSource.start(dir, settings, publisher);
        assertThat(watcherThreads()).isNotEmpty().allMatch(Thread::isDaemon);
        source.close();
        source = null;
        assertThat(Routes.awaitValue(() -> watcherThreads().isEmpty(), true)).isTrue();
    }

    private static List<Thread> watcherThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("usher-manifests") && t.isAlive())
                .toList();
    }

    private boolean awaitProblemAbout(String file) {
        return Routes.awaitValue(
                () -> publisher.problems().stream().anyMatch(p -> p.source().equals(file)), true);
    }

    /** A source that never rescans on its own: what it applies, it applied from watch events alone. */
    private ManifestsSource eventsOnly() throws IOException {
        return ManifestsSource.start(dir, settings, publisher, TimeUnit.HOURS.toMillis(1));
    }

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    static String ingress(String name, String host, String path, String service) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: %s}
                spec:
                  rules:
                  - host: %s
                    http:
                      paths:
                      - path: %s
                        pathType: Prefix
                        backend: {service: {name: %s, port: {number: 8080}}}
                """.formatted(name, host, path, service);
    }

    /** A Service on port 8080 (optionally named) and its legacy Endpoints with one ready address. */
    static String service(String name, String portName, String ip, int port) {
        String named = portName == null ? "" : "name: " + portName + ", ";
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %1$s}
                spec: {ports: [{%2$sport: 8080, targetPort: %4$d}]}
                ---
                apiVersion: v1
                kind: Endpoints
                metadata: {name: %1$s}
                subsets: [{addresses: [{ip: %3$s}], ports: [{%2$sport: %4$d}]}]
                """.formatted(name, named, ip, port);
    }
}
