package dev.usher.k8s;

import dev.usher.k8s.translate.KubeObjects;
import dev.usher.k8s.translate.Translator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one manifests file into the objects Usher uses, or rejects the whole file with a reason.
 *
 * <p>A file is all or nothing: one bad document (YAML error, an object without name, an Ingress that fails its own
 * validation) rejects the file, so that the source keeps its last good version instead of serving half of it.
 * Multi-document YAML, JSON and {@code kind: List} are read with fabric8's serialization; kinds Usher does not use
 * are ignored with a debug line.
 */
final class ManifestParser {

    /** Why a file was rejected. */
    static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;

        Rejected(String reason) {
            super(reason);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(ManifestParser.class);
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private ManifestParser() {
    }

    static boolean isManifest(Path file) {
        String name = file.getFileName().toString();
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        // Hidden files are editors' and tools' temporaries (".foo.yaml.swp", ".#foo.yaml"), never manifests.
        return !name.startsWith(".")
                && (lower.endsWith(".yaml") || lower.endsWith(".yml") || lower.endsWith(".json"));
    }

    static List<HasMetadata> parse(Path file) throws IOException, Rejected {
        byte[] bytes = Files.readAllBytes(file);
        Object parsed;
        try {
            parsed = SERIALIZATION.unmarshal(new ByteArrayInputStream(bytes));
        } catch (RuntimeException e) {
            throw new Rejected(oneLine(e.getMessage() == null ? e.toString() : e.getMessage()));
        }
        List<Object> documents = new ArrayList<>();
        flatten(parsed, documents);
        List<HasMetadata> used = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            Object document = documents.get(i);
            if (document == null) {
                continue;
            }
            if (!(document instanceof HasMetadata object) || object.getKind() == null
                    || object.getApiVersion() == null) {
                throw new Rejected("document " + (i + 1) + " is not a Kubernetes object (apiVersion and kind are "
                        + "required)");
            }
            if (object.getMetadata() == null || object.getMetadata().getName() == null
                    || object.getMetadata().getName().isEmpty()) {
                throw new Rejected("document " + (i + 1) + " (" + object.getKind() + ") has no metadata.name");
            }
            if (object instanceof GenericKubernetesResource || !KubeObjects.isSupported(object)) {
                LOG.debug("{}: ignoring {} {} ({} is not a kind Usher reads)", file, object.getKind(),
                        object.getMetadata().getName(), object.getApiVersion());
                continue;
            }
            List<Problem> problems = Translator.validate(object);
            if (!problems.isEmpty()) {
                throw new Rejected(problems.stream().map(Problem::toString).collect(Collectors.joining("; ")));
            }
            used.add(object);
        }
        return List.copyOf(used);
    }

    private static void flatten(Object parsed, List<Object> out) {
        if (parsed instanceof List<?> list) {
            list.forEach(item -> flatten(item, out));
        } else if (parsed instanceof KubernetesResourceList<?> list) {
            list.getItems().forEach(item -> flatten(item, out));
        } else {
            out.add(parsed);
        }
    }

    private static String oneLine(String message) {
        return message.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
