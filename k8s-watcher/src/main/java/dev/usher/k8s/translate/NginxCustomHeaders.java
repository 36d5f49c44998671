package dev.usher.k8s.translate;

import dev.usher.routing.HeaderEdit;
import dev.usher.routing.ObjectRef;
import dev.usher.routing.RouteOptions;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * ingress-nginx's {@code custom-headers}: the name of a ConfigMap ({@code name} or {@code namespace/name}, the
 * Ingress's own namespace only) whose {@code data} keys are response field names and values their values, set on every
 * response of the Ingress as headers-more's {@code more_set_headers} sets them: the origin's fields of that name are
 * replaced, and Usher's own answers for the Ingress's routes (its 502, 504, ...) get them too. They become
 * {@link HeaderEdit}s of mode {@link HeaderEdit.Mode#SET}, the same edits a {@code configuration-snippet}'s
 * {@code more_set_headers} makes, applied before the snippet's.
 *
 * <p>As ingress-nginx: a name must match {@code ^[a-zA-Z\d\-_]+$} and be listed in
 * {@code --global-allowed-response-headers} (its {@code global-allowed-response-headers}; empty by default, so by
 * default every use is denied), a value must match ingress-nginx's value pattern (printable ASCII without control
 * bytes); anything else, and a missing ConfigMap, denies the Ingress: its routes answer 503, reported. Values are
 * literal: ingress-nginx writes a {@code $} of a value as {@code ${literal_dollar}}, so no nginx variable is expanded,
 * and neither does Usher (the edit has no template). A value of blanks only clears the field, as
 * {@code more_set_headers "Name: "} does; other values are sent stripped of surrounding blanks. {@code binaryData} is
 * not read (ingress-nginx reads {@code data} only); its keys are reported.
 */
public final class NginxCustomHeaders {

    static final String KEY = "custom-headers";

    /** ingress-nginx's header-value pattern: printable ASCII, no control byte (so no CR or LF). */
    private static final Pattern VALUE = Pattern.compile("[a-zA-Z\\d_ :;.,\\\\/\"'?!(){}\\[\\]@<>=\\-+*#$&`|~^%]+");

    private static final String FAILS_CLOSED = "; the Ingress fails closed (503)";

    private NginxCustomHeaders() {}

    /** What is wrong with the annotation's value on its own, or {@code null} ({@link NginxHonoured}). */
    static @Nullable String problem(String name, String value) {
        String problem = ConfigMapReference.problem(value);
        return problem == null ? null : problem + FAILS_CLOSED;
    }

    /**
     * The ConfigMap an Ingress in {@code namespace} with {@code annotations} reads, or {@code null} (none, or one it
     * may not read): what the cluster source watches.
     */
    public static @Nullable ObjectRef configMap(String namespace, @Nullable Map<String, String> annotations) {
        return ConfigMapReference.readable(
                namespace, annotations == null ? null : annotations.get(Annotations.NGINX + KEY));
    }

    /**
     * {@code options} with the ConfigMap's fields set on every response, before the snippet's edits; or denied, the
     * reason reported; unchanged without the annotation.
     */
    static RouteOptions apply(
            RouteOptions options,
            String namespace,
            Map<String, String> a,
            KubeObjects objects,
            Set<String> allowed,
            String source,
            Problems problems) {
        String value = a.get(Annotations.NGINX + KEY);
        if (value == null) {
            return options;
        }
        List<HeaderEdit> edits;
        try {
            edits = edits(value.strip(), namespace, objects, allowed, source, problems);
        } catch (IllegalStateException e) {
            String reason = "annotation " + Annotations.NGINX + KEY + ": " + e.getMessage() + FAILS_CLOSED;
            if (problem(KEY, value.strip()) == null) { // a bad value on its own: the annotation audit reports it
                problems.add(source, reason);
            }
            return options.toBuilder()
                    .denied(options.denied() != null ? options.denied() : reason)
                    .build();
        }
        if (edits.isEmpty()) {
            return options;
        }
        List<HeaderEdit> all = new ArrayList<>(edits);
        all.addAll(options.headerEdits()); // the snippet's come after: for one field, the snippet's edit wins
        return options.toBuilder().headerEdits(List.copyOf(all)).build();
    }

    private static List<HeaderEdit> edits(
            String value,
            String namespace,
            KubeObjects objects,
            Set<String> allowed,
            String source,
            Problems problems) {
        ConfigMap configMap = ConfigMapReference.require(value, namespace, objects);
        String id = ConfigMapReference.id(namespace, value);
        Map<String, String> data = ConfigMapReference.sortedData(configMap);
        List<HeaderEdit> edits = new ArrayList<>();
        for (Map.Entry<String, String> field : data.entrySet()) {
            String name = field.getKey();
            String text = field.getValue() == null ? "" : field.getValue();
            if (!ConfigMapReference.FIELD_NAME.matcher(name).matches()) {
                throw new IllegalStateException(id + ": " + Problems.quote(ConfigMapReference.clip(name))
                        + " is not a header name ingress-nginx takes (letters, digits, - and _)");
            }
            if (!VALUE.matcher(text).matches()) {
                throw new IllegalStateException(id + ": the value of " + name
                        + " is not one ingress-nginx takes (printable ASCII, no control bytes, not empty)");
            }
            if (!allowed.contains(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalStateException(id + ": header " + name + " is not allowed: "
                        + (allowed.isEmpty()
                                ? "--global-allowed-response-headers is empty"
                                : "it is not in --global-allowed-response-headers"));
            }
            String proxyOwned = HeaderEdit.nameProblem(name);
            if (proxyOwned != null) {
                throw new IllegalStateException(id + ": " + proxyOwned);
            }
            String stripped = text.strip(); // as headers-more reads "Name: value"; blanks only: the field is cleared
            edits.add(
                    stripped.isEmpty()
                            ? new HeaderEdit(name, null, HeaderEdit.Mode.CLEAR)
                            : new HeaderEdit(name, stripped, HeaderEdit.Mode.SET)); // literal: no template
        }
        ConfigMapReference.reportBinaryData(configMap, Annotations.NGINX + KEY, id, source, problems);
        return edits;
    }
}
