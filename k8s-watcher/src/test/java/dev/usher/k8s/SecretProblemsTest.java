package dev.usher.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.Problem;
import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.routing.RoutingTable;
import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.CertificateStore;
import dev.usher.tls.DefaultCertificate;
import dev.usher.tls.PemCertificates;
import dev.usher.tls.TlsCertificate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A manifests file holding a Secret whose key is broken is reported, but neither the problem (what
 * {@code /debug/routes} shows) nor the log ever carries a piece of the key: parser messages quote their input.
 */
final class SecretProblemsTest {

    /** Shortest piece of the key body that counts as a leak: longer than any word a message is made of by chance. */
    private static final int WINDOW = 8;

    private static final TlsCertificate CERT =
            CertificateGenerator.forHosts("secure.example.com").generate("gen");
    private static final String KEY_PEM = new String(
            PemCertificates.privateKeyPem(CERT.key(), PemCertificates.KeyFormat.PKCS8), StandardCharsets.US_ASCII);
    private static final String CERT_PEM =
            new String(PemCertificates.certificatesPem(CERT.chain()), StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private final RoutingTable table = new RoutingTable();
    private final CertificateStore store = CertificateStore.create(DefaultCertificate.generate());
    private final SnapshotPublisher publisher = new SnapshotPublisher(table, store);
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private PrintStream originalErr;
    private ManifestsSource source;

    @BeforeEach
    void captureLog() {
        originalErr = System.err;
        System.setErr(new PrintStream(new Tee(originalErr, log), true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        if (source != null) {
            source.close();
        }
        System.setErr(originalErr);
    }

    /** {@code indent} spaces before the key's third line: less than the block's 4 ends the block scalar there. */
    @ParameterizedTest(name = "third key line indented by {0}")
    @ValueSource(ints = {0, 1, 2, 3})
    void misIndentedKeyLine_isReported_withoutAnyPieceOfTheKey(int indent) throws IOException {
        List<String> keyLines =
                new ArrayList<>(KEY_PEM.lines().map(l -> "    " + l).toList());
        keyLines.set(2, " ".repeat(indent) + keyLines.get(2).strip());
        String yaml = ManifestsSourceTest.ingress("s", "secure.example.com", "/", "alpaca")
                        .replace("spec:\n", "spec:\n  tls: [{hosts: [secure.example.com], secretName: secure-cert}]\n")
                + "---\n" + """
                apiVersion: v1
                kind: Secret
                metadata: {name: secure-cert}
                type: kubernetes.io/tls
                stringData:
                  tls.crt: |
                %s
                  tls.key: |
                %s
                """.formatted(indent(CERT_PEM), String.join("\n", keyLines));

        List<Problem> problems = startOn("tls.yaml", yaml);

        assertThat(problems).singleElement().satisfies(p -> assertThat(p.message())
                .contains("YAML syntax error at line", "details withheld"));
        assertNoPieceOfTheKeyIn(problems.toString());
        assertNoPieceOfTheKeyIn(log.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unquoted key body", "unterminated string", "key body as a number"})
    void brokenJsonSecret_isReported_withoutAnyPieceOfTheKey(String shape) throws IOException {
        String body = keyBody().get(0);
        String value =
                switch (shape) {
                    case "unquoted key body" -> body;
                    case "unterminated string" -> "\"" + body;
                    default -> "12" + body;
                };
        String json = """
                {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "secure-cert"},
                 "type": "kubernetes.io/tls", "stringData": {"tls.key": %s, "tls.crt": "x"}}
                """.formatted(value);

        List<Problem> problems = startOn("secret.json", json);

        assertThat(problems).singleElement().satisfies(p -> assertThat(p.message())
                .contains("details withheld"));
        assertNoPieceOfTheKeyIn(problems.toString());
        assertNoPieceOfTheKeyIn(log.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"a character that is not base64", "a truncated body", "a missing END line"})
    void wellFormedSecretWithABrokenKey_isReported_withoutAnyPieceOfTheKey(String damage) throws IOException {
        String key =
                switch (damage) {
                    case "a character that is not base64" -> KEY_PEM.replaceFirst("\n(.{10})", "\n$1!");
                    case "a truncated body" ->
                        KEY_PEM.substring(0, KEY_PEM.length() / 2) + "\n-----END PRIVATE KEY-----\n";
                    default -> KEY_PEM.replace("-----END PRIVATE KEY-----", "");
                };
        String yaml = ManifestsSourceTest.ingress("s", "secure.example.com", "/", "alpaca")
                        .replace("spec:\n", "spec:\n  tls: [{hosts: [secure.example.com], secretName: secure-cert}]\n")
                + "---\n" + """
                apiVersion: v1
                kind: Secret
                metadata: {name: secure-cert}
                type: kubernetes.io/tls
                stringData:
                  tls.crt: |
                %s
                  tls.key: |
                %s
                """.formatted(indent(CERT_PEM), indent(key));

        List<Problem> problems = startOn("tls.yaml", yaml);

        assertThat(problems).anySatisfy(p -> assertThat(p.message()).contains("Secret default/secure-cert"));
        assertNoPieceOfTheKeyIn(problems.toString());
        assertNoPieceOfTheKeyIn(log.toString(StandardCharsets.UTF_8));
    }

    private List<Problem> startOn(String file, String text) throws IOException {
        Files.writeString(dir.resolve(file), text, StandardCharsets.UTF_8);
        source = ManifestsSource.start(dir, WatcherSettings.defaults().withWatchIngressWithoutClass(true), publisher);
        return publisher.problems().stream()
                .filter(p -> !p.message().contains("Service default/alpaca"))
                .toList();
    }

    private static List<String> keyBody() {
        return KEY_PEM.lines().filter(l -> !l.startsWith("-----")).toList();
    }

    private static void assertNoPieceOfTheKeyIn(String text) {
        for (String line : keyBody()) {
            for (int i = 0; i + WINDOW <= line.length(); i++) {
                String piece = line.substring(i, i + WINDOW);
                assertThat(text).as("piece %s of the key", piece).doesNotContain(piece);
            }
        }
    }

    private static String indent(String pem) {
        return pem.lines().map(l -> "    " + l).collect(Collectors.joining("\n"));
    }

    /** Writes to the real stderr and to a buffer. */
    private static final class Tee extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        Tee(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws IOException {
            first.write(b);
            synchronized (second) {
                second.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            first.write(b, off, len);
            synchronized (second) {
                second.write(b, off, len);
            }
        }
    }
}
