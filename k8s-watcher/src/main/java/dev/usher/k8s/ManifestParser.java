package dev.usher.k8s;

import dev.usher.k8s.translate.KubeObjects;
import dev.usher.k8s.translate.Problem;
import dev.usher.k8s.translate.Translator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads one manifests file into the objects Usher uses, or rejects the whole file with a reason.
 *
 * <p>A file is all or nothing: one bad document (YAML error, an object without name, an Ingress that fails its own
 * validation) rejects the file, so that the source keeps its last good version instead of serving half of it.
 * Multi-document YAML, JSON and {@code kind: List} are read with fabric8's serialization; kinds Usher does not use
 * are ignored with a debug line. A JSON document followed by more documents is read as a YAML stream (every document
 * counts). A file holding YAML merge keys ({@code <<: *anchor}) is merged first ({@link YamlMergeKeys}). A
 * duplicated mapping key rejects the file with its line, as kubectl refuses it. A parser's message never reaches the
 * reason when the file may hold a Secret ({@link ParseErrors}).
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
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final byte[] YAML_START = "--- ".getBytes(StandardCharsets.US_ASCII);

    /**
     * The largest file read. Read whole, a larger one could exhaust the heap (one of 2 GiB or more cannot even be held
     * in an array, an {@link OutOfMemoryError} rather than a rejected file), and the folder's other files would stop
     * serving with it; a cluster's whole {@code kubectl get -A -o yaml} of Ingresses, Services and EndpointSlices is
     * far smaller.
     */
    static final int MAX_FILE_BYTES = 64 << 20;

    private ManifestParser() {}

    static boolean isManifest(Path file) {
        String name = file.getFileName().toString();
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        // Hidden files are editors' and tools' temporaries (".foo.yaml.swp", ".#foo.yaml"), never manifests.
        return !name.startsWith(".") && (lower.endsWith(".yaml") || lower.endsWith(".yml") || lower.endsWith(".json"));
    }

    static List<HasMetadata> parse(Path file) throws IOException, Rejected {
        byte[] bytes;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new Rejected(
                    "is larger than " + MAX_FILE_BYTES + " bytes (64 MiB), the most Usher reads of one file");
        }
        try {
            return parse(file, bytes);
        } catch (StackOverflowError e) {
            // The YAML parser recurses once per nesting level; the stack unwinds whole, and nothing else shares it.
            throw new Rejected("is nested too deeply to parse");
        }
    }

    private static List<HasMetadata> parse(Path file, byte[] bytes) throws IOException, Rejected {
        boolean sensitive = ParseErrors.mayHoldSecret(bytes);
        Object parsed;
        if (YamlMergeKeys.mayHoldMergeKey(bytes)) {
            parsed = withMergeKeys(bytes, sensitive);
        } else if (startsLikeJson(bytes) && hasMoreAfterFirstJsonValue(bytes)) {
            // fabric8 reads a file that starts like JSON as one JSON value and drops the rest. JSON is YAML, so read
            // the file as the YAML stream it then is ("--- " on the first line keeps line numbers): every document
            // counts, or the file is rejected.
            try {
                parsed = SERIALIZATION.unmarshal(
                        new SequenceInputStream(new ByteArrayInputStream(YAML_START), new ByteArrayInputStream(bytes)));
            } catch (RuntimeException e) {
                throw new Rejected("has more content after its first JSON document, and the whole file is not a "
                        + "stream of YAML documents either: " + ParseErrors.describe(e, sensitive));
            }
        } else {
            try {
                parsed = SERIALIZATION.unmarshal(new ByteArrayInputStream(bytes));
            } catch (RuntimeException e) {
                throw new Rejected(ParseErrors.describe(e, sensitive));
            }
        }
        List<Object> documents = new ArrayList<>();
        flatten(parsed, documents);
        List<HasMetadata> used = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            Object document = documents.get(i);
            if (document == null) {
                continue;
            }
            if (!(document instanceof HasMetadata object)
                    || object.getKind() == null
                    || object.getApiVersion() == null) {
                throw new Rejected(
                        "document " + (i + 1) + " is not a Kubernetes object (apiVersion and kind are " + "required)");
            }
            if (object.getMetadata() == null
                    || object.getMetadata().getName() == null
                    || object.getMetadata().getName().isEmpty()) {
                throw new Rejected("document " + (i + 1) + " (" + object.getKind() + ") has no metadata.name");
            }
            if (object instanceof GenericKubernetesResource || !KubeObjects.isSupported(object)) {
                LOG.debug(
                        "{}: ignoring {} {} ({} is not a kind Usher reads)",
                        file,
                        object.getKind(),
                        object.getMetadata().getName(),
                        object.getApiVersion());
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

    /** A file with merge keys: merged by {@link YamlMergeKeys}, then each document read by fabric8 as a tree. */
    private static List<Object> withMergeKeys(byte[] bytes, boolean sensitive) throws Rejected {
        List<Object> documents;
        try {
            documents = YamlMergeKeys.load(bytes);
        } catch (RuntimeException e) {
            throw new Rejected(ParseErrors.describe(e, sensitive));
        }
        List<Object> parsed = new ArrayList<>(documents.size());
        for (int i = 0; i < documents.size(); i++) {
            if (documents.get(i) == null) {
                continue;
            }
            try {
                parsed.add(SERIALIZATION.unmarshal(new ByteArrayInputStream(JSON.writeValueAsBytes(documents.get(i)))));
            } catch (RuntimeException e) {
                throw new Rejected("document " + (i + 1) + ": " + ParseErrors.describe(e, sensitive));
            }
        }
        return parsed;
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

    /** What fabric8 checks to choose its JSON reader: the first byte that is not whitespace. */
    private static boolean startsLikeJson(byte[] bytes) {
        for (byte b : bytes) {
            if (!Character.isWhitespace(b)) {
                return b == '{' || b == '[';
            }
        }
        return false;
    }

    /**
     * Whether anything but whitespace follows the first JSON value. A first value that does not parse counts as
     * alone: fabric8's own parse then reports it.
     */
    private static boolean hasMoreAfterFirstJsonValue(byte[] bytes) {
        boolean firstValueRead = false;
        try (JsonParser parser = JSON.createParser(bytes)) {
            parser.nextToken();
            parser.skipChildren();
            firstValueRead = true;
            return parser.nextToken() != null;
        } catch (JacksonException e) {
            return firstValueRead;
        }
    }
}
