package dev.usher.k8s.translate;

import static dev.usher.k8s.translate.Yaml.OUR_CLASS;
import static dev.usher.k8s.translate.Yaml.ingress;
import static dev.usher.k8s.translate.Yaml.service;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A translation that reuses the last one's conversions gives exactly what a translation from scratch gives. */
final class ConversionMemoTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource({
        "dev.usher.k8s.translate.TranslatorTest#classSelection",
        "dev.usher.k8s.translate.TranslatorTest#validation",
        "dev.usher.k8s.translate.TranslatorTest#rulePaths",
        "dev.usher.k8s.translate.TranslatorTest#annotationsAndTls",
        "dev.usher.k8s.translate.TranslatorTest#rewriteTargets",
        "dev.usher.k8s.translate.TranslatorTest#nginxAnnotations"
    })
    void everyTranslatorCase_translatedAgainWithTheMemo_isTheSameTranslation(TranslatorTest.Case c) {
        KubeObjects objects = Yaml.kube(c.documents().toArray(String[]::new));
        ConversionMemo memo = new ConversionMemo();
        Translation first = Translator.translate(objects, c.settings(), memo);
        long converted = memo.misses();

        Translation again = Translator.translate(objects, c.settings(), memo);

        assertThat(memo.misses()).as("nothing converted twice").isEqualTo(converted);
        assertThat(memo.hits()).isEqualTo(converted);
        assertThat(again).isEqualTo(first).isEqualTo(Translator.translate(objects, c.settings()));
        c.check().accept(again);
    }

    @Test
    void aChangedIngress_isConvertedAgain_theOthersAreReused_andTheirProblemsStillReported() {
        String broken = ingress("b", "b.example.com", "bison", 8080).replace("path: /,", "path: no-slash,");
        List<HasMetadata> base = Yaml.objects(
                OUR_CLASS,
                service("alpaca", null, 8080, 8080),
                service("bison", null, 8080, 8080),
                ingress("a", "a.example.com", "alpaca", 8080),
                broken);
        ConversionMemo memo = new ConversionMemo();
        Translation first = Translator.translate(kube(base), WatcherSettings.defaults(), memo);
        assertThat(memo.misses()).isEqualTo(2);
        assertThat(first.problems()).anySatisfy(p -> assertThat(p.source()).isEqualTo("Ingress default/b"));

        // the folder source re-parses an edited file: a new instance of "a", the same instance of "b"
        List<HasMetadata> edited = new ArrayList<>(base);
        edited.set(
                3, Yaml.objects(ingress("a", "a2.example.com", "alpaca", 8080)).get(0));
        Translation second = Translator.translate(kube(edited), WatcherSettings.defaults(), memo);

        assertThat(memo.misses()).isEqualTo(3);
        assertThat(memo.hits()).isEqualTo(1);
        assertThat(second).isEqualTo(Translator.translate(kube(edited), WatcherSettings.defaults()));
        assertThat(second.problems()).isEqualTo(first.problems());
        assertThat(second.ruleSets())
                .anySatisfy(r -> assertThat(r.rules().get(0).host()).isEqualTo("a2.example.com"));
    }

    @Test
    void otherSettings_convertAgain() {
        List<HasMetadata> objects = Yaml.objects(
                OUR_CLASS, service("alpaca", null, 8080, 8080), ingress("a", "a.example.com", "alpaca", 8080));
        ConversionMemo memo = new ConversionMemo();
        Translator.translate(kube(objects), WatcherSettings.defaults(), memo);
        Translator.translate(kube(objects), WatcherSettings.defaults().withZone("zone-b"), memo);
        assertThat(memo.misses()).isEqualTo(2);
        assertThat(memo.hits()).isZero();
    }

    @Test
    void anIngressThatIsGone_isForgotten() {
        List<HasMetadata> objects = Yaml.objects(
                OUR_CLASS, service("alpaca", null, 8080, 8080), ingress("a", "a.example.com", "alpaca", 8080));
        WatcherSettings settings = WatcherSettings.defaults();
        ConversionMemo memo = new ConversionMemo();
        Translator.translate(kube(objects), settings, memo);
        Translator.translate(kube(objects.subList(0, 2)), settings, memo);
        Translator.translate(kube(objects), settings, memo);
        assertThat(memo.misses())
                .as("converted again after a translation without it")
                .isEqualTo(2);
    }

    private static KubeObjects kube(List<HasMetadata> objects) {
        KubeObjects.Builder builder = KubeObjects.builder();
        objects.forEach(builder::add);
        return builder.build();
    }
}
