package dev.usher.k8s.translate;

import dev.usher.routing.ObjectRef;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * An annotation value naming a ConfigMap, {@code name} or {@code namespace/name}, as ingress-nginx's
 * {@code custom-headers} and {@code auth-proxy-set-headers} take it; Usher reads only a ConfigMap of the Ingress's own
 * namespace, so a tenant never reads another namespace's.
 */
final class ConfigMapReference {

    /** {@code name} or {@code namespace/name}: a DNS-1123 label, then a subdomain (a ConfigMap's name). */
    private static final Pattern REFERENCE =
            Pattern.compile("(?:[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?/)?[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?");

    /** ingress-nginx's pattern for the field names such a ConfigMap's {@code data} keys are. */
    static final Pattern FIELD_NAME = Pattern.compile("[a-zA-Z\\d\\-_]+");

    private ConfigMapReference() {}

    /** What is wrong with {@code value} (stripped) on its own, or {@code null}. */
    static @Nullable String problem(String value) {
        if (value.isBlank()) {
            return "names no ConfigMap";
        }
        return REFERENCE.matcher(value).matches() ? null : "is not a ConfigMap name or namespace/name";
    }

    /**
     * The ConfigMap {@code value} names for an Ingress in {@code namespace}, or {@code null} when the value is not a
     * ConfigMap name or names one in another namespace: what the cluster source watches.
     */
    static @Nullable ObjectRef readable(String namespace, @Nullable String value) {
        if (value == null || problem(value.strip()) != null) {
            return null;
        }
        String v = value.strip();
        int slash = v.indexOf('/');
        if (slash >= 0 && !v.substring(0, slash).equals(namespace)) {
            return null;
        }
        return new ObjectRef(namespace, v.substring(slash + 1));
    }

    /**
     * The ConfigMap {@code value} (stripped) names for an Ingress in {@code namespace}.
     *
     * @throws IllegalStateException with the reason, when the value is not a ConfigMap name, names one in another
     *     namespace, or the ConfigMap does not exist
     */
    static ConfigMap require(String value, String namespace, KubeObjects objects) {
        String invalid = problem(value);
        if (invalid != null) {
            throw new IllegalStateException(Problems.quote(clip(value)) + " " + invalid);
        }
        int slash = value.indexOf('/');
        if (slash >= 0 && !value.substring(0, slash).equals(namespace)) {
            throw new IllegalStateException("ConfigMap " + Problems.quote(value)
                    + " is outside the Ingress's namespace; an Ingress may only use ConfigMaps in its own");
        }
        ConfigMap configMap = objects.configMap(namespace, value.substring(slash + 1));
        if (configMap == null) {
            throw new IllegalStateException(id(namespace, value) + " not found");
        }
        return configMap;
    }

    /** The ConfigMap's {@code data}, in key order (none: empty). */
    static Map<String, String> sortedData(ConfigMap configMap) {
        return new TreeMap<>(configMap.getData() == null ? Map.of() : configMap.getData());
    }

    /** Reports the keys of {@code binaryData}, which is not read (as in ingress-nginx, only {@code data} is). */
    static void reportBinaryData(ConfigMap configMap, String annotation, String id, String source, Problems problems) {
        if (configMap.getBinaryData() != null && !configMap.getBinaryData().isEmpty()) {
            problems.add(
                    source,
                    "annotation " + annotation + ": " + id + ": binaryData is not read (as in ingress-nginx, only"
                            + " data); keys not set: "
                            + String.join(", ", new TreeMap<>(configMap.getBinaryData()).keySet()));
        }
    }

    /** {@code ConfigMap namespace/name}, for messages. */
    static String id(String namespace, String value) {
        return "ConfigMap " + namespace + "/" + value.substring(value.indexOf('/') + 1);
    }

    static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
