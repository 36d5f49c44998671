package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ExamplesTest {

    /** Surefire runs with the module directory as the working directory. */
    private static final Path EXAMPLES = Path.of("examples");

    @Test
    void fileList_namesEveryManifestInTheExamplesFolder() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            List<String> yaml = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml"))
                    .sorted()
                    .toList();

            assertThat(yaml).containsExactlyInAnyOrderElementsOf(Examples.FILES);
        }
    }

    @Test
    void shippedEndpoints_areWhatTheGeneratorWritesForTheDocumentedPorts() throws IOException {
        String shipped = Files.readString(EXAMPLES.resolve(Examples.ENDPOINTS_FILE), StandardCharsets.UTF_8);

        assertThat(Examples.endpointsYaml(Examples.FIXED_PORTS)).isEqualTo(shipped);
    }

    @Test
    void copyTo_writesTheBundledCopyOfEveryExample(@TempDir Path dir) throws IOException {
        Examples.copyTo(dir);

        for (String file : Examples.FILES) {
            assertThat(dir.resolve(file)).hasSameTextualContentAs(EXAMPLES.resolve(file));
        }
    }

    @Test
    void simpleIngress_sendsTheCatchAllToBeDefault() throws IOException {
        String simple = Files.readString(EXAMPLES.resolve("simple-ingress.yaml"), StandardCharsets.UTF_8);

        assertThat(simple).contains("defaultBackend:", "name: be-default").doesNotContain("rules:");
    }
}
