package dev.usher.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class JsonTest {

    @Test
    void write_nestedValues_isIndentedJson() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", "a \"quoted\"\\ line\n");
        map.put("count", 3L);
        map.put("rate", 1234.56789);
        map.put("none", Double.NaN);
        map.put("list", List.of(1, true));
        map.put("empty", Map.of());

        assertThat(Json.write(map)).isEqualTo("""
                {
                  "name": "a \\"quoted\\"\\\\ line\\n",
                  "count": 3,
                  "rate": 1234.57,
                  "none": null,
                  "list": [
                    1,
                    true
                  ],
                  "empty": {}
                }
                """);
    }

    @Test
    void write_controlCharacter_isEscapedAsUnicode() {
        assertThat(Json.write("\u0001")).isEqualTo("\"\\u0001\"\n");
    }
}
