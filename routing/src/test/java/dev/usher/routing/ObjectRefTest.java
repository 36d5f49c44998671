package dev.usher.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class ObjectRefTest {

    @Test
    void parse_andToString_roundTrip() {
        ObjectRef ref = ObjectRef.parse("shop/web");

        assertThat(ref).isEqualTo(new ObjectRef("shop", "web")).hasToString("shop/web");
        assertThat(ref.namespace()).isEqualTo("shop");
        assertThat(ref.name()).isEqualTo("web");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "web", "/web", "shop/", "a/b/c"})
    void parse_refusesAnythingButNamespaceSlashName(String text) {
        assertThatThrownBy(() -> ObjectRef.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @Test
    void order_isTheOrderOfTheText() {
        List<String> texts = List.of("a/x", "a-b/x", "a.b/a", "a/y", "ab/a", "a/a", "b/a", "a0/z");

        assertThat(texts.stream().map(ObjectRef::parse).sorted().map(ObjectRef::toString))
                .containsExactlyElementsOf(texts.stream().sorted().toList());
        assertThat(Stream.of("a/x", "a/x").map(ObjectRef::parse).distinct()).hasSize(1);
    }
}
