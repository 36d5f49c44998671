package dev.usher.k8s;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * YAML merge keys ({@code <<: *anchor}, {@code <<: [*a, *b]}), which people use in hand-written manifests and which
 * kubectl accepts: YAML 1.2 parsers, fabric8's among them, read {@code <<} as a plain key. A file that holds one is
 * loaded here instead (SnakeYAML Engine, the parser fabric8 itself uses), its merges applied as the YAML 1.1 merge
 * type specifies (keys of the mapping itself win, then the merged mappings in order), and each document is then
 * given to fabric8 as a tree.
 *
 * <p>Duplicate keys are refused with their line, as kubectl refuses them. Aliases are expanded by copying, with a
 * budget of {@value #MAX_NODES} nodes per file and a nesting limit, so that a "billion laughs" file is refused
 * rather than expanded.
 */
final class YamlMergeKeys {

    static final String MERGE = "<<";
    static final int MAX_NODES = 200_000;
    private static final int MAX_DEPTH = 200;

    private int nodes;

    private YamlMergeKeys() {}

    /** Whether {@code bytes} may hold a merge key; only such files take this path. */
    static boolean mayHoldMergeKey(byte[] bytes) {
        for (int i = 0; i + 1 < bytes.length; i++) {
            if (bytes[i] == '<' && bytes[i + 1] == '<') {
                return true;
            }
        }
        return false;
    }

    /**
     * The documents of {@code bytes} with every merge key applied; {@code null} documents (empty ones) kept.
     *
     * @throws RuntimeException a YAML error (with its line), a duplicate key, a merge of something that is not a
     *     mapping, or a file that expands beyond the budget
     */
    static List<Object> load(byte[] bytes) {
        LoadSettings settings =
                LoadSettings.builder().setAllowDuplicateKeys(false).build();
        YamlMergeKeys merger = new YamlMergeKeys();
        List<Object> documents = new ArrayList<>();
        for (Object document : new Load(settings).loadAllFromInputStream(new ByteArrayInputStream(bytes))) {
            documents.add(merger.copy(document, 0));
        }
        return documents;
    }

    private Object copy(Object node, int depth) {
        if (++nodes > MAX_NODES || depth > MAX_DEPTH) {
            throw new IllegalArgumentException("the YAML expands beyond " + MAX_NODES + " nodes or " + MAX_DEPTH
                    + " levels once its aliases are resolved; refused");
        }
        if (node instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!MERGE.equals(entry.getKey())) {
                    out.put(entry.getKey(), copy(entry.getValue(), depth + 1));
                }
            }
            Object merged = map.get(MERGE);
            if (merged != null) {
                List<?> sources = merged instanceof List<?> list ? list : List.of(merged);
                for (Object source : sources) {
                    if (!(source instanceof Map<?, ?>)) {
                        throw new IllegalArgumentException(
                                "a merge key (<<) must name a mapping or a list of " + "mappings");
                    }
                    Map<?, ?> copied = (Map<?, ?>) copy(source, depth + 1);
                    copied.forEach(out::putIfAbsent);
                }
            }
            return out;
        }
        if (node instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object item : list) {
                out.add(copy(item, depth + 1));
            }
            return out;
        }
        return node;
    }
}
