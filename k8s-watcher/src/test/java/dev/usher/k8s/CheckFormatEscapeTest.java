package dev.usher.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.KubeObjects;
import dev.usher.k8s.translate.WatcherSettings;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code usher check --manifests} runs on folders someone else wrote, and no API server has checked their names: its
 * text report goes to the operator's terminal, so no byte of an object may reach it as a control character (an
 * escape sequence could rewrite the screen, hide the result line or set the clipboard; a newline could forge one).
 */
final class CheckFormatEscapeTest {

    private static final String FORGED = "\n\nresult: everything carries over\n";

    @Test
    void namesKeysValuesAndBackends_reachTheTextReportWithTheirControlCharactersEscaped() {
        Ingress evil = KubeFixtures.ingress(
                "shop", "web\u001b]52;c;aGk=\u0007" + FORGED, "shop.example.com", "web\u001b[8m" + FORGED);
        evil.getMetadata()
                .setAnnotations(Map.of(
                        "nginx.ingress.kubernetes.io/ssl-redirect\u001b[2J" + FORGED,
                        "x",
                        "nginx.ingress.kubernetes.io/ssl-redirect",
                        "maybe\u001b[2J" + FORGED));
        KubeObjects objects = KubeObjects.builder()
                .addAll(List.of(KubeFixtures.ourClass(), evil))
                .build();

        String text = CheckFormat.text(CheckReport.of(objects, List.of(), WatcherSettings.defaults()));

        assertThat(text).doesNotContain("\u001b", "\u0007").contains("\\u001b");
        assertThat(text.lines().filter(line -> line.startsWith("result:"))).hasSize(1);
    }
}
