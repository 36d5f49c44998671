package dev.usher.k8s.translate;

import dev.usher.routing.ExternalAuth;
import dev.usher.routing.HeaderEdit;
import dev.usher.routing.NginxTemplate;
import dev.usher.routing.ObjectRef;
import dev.usher.routing.RouteOptions;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * ingress-nginx's {@code auth-proxy-set-headers}: the name of a ConfigMap ({@code name} or {@code namespace/name}, the
 * Ingress's own namespace only) whose {@code data} keys are field names and values their values, set on the request
 * sent to the Ingress's {@code auth-url} (nginx's {@code proxy_set_header} in the auth location) and on no other: the
 * origin and the client never see them. They become {@link ExternalAuth#proxySetHeaders}.
 *
 * <p>Values may hold the nginx variables Usher expands ({@code $remote_addr}, {@code $host}, {@code $request_uri},
 * {@code $http_<name>}, ...: {@link NginxTemplate}), each expanded byte that could not stand in a field
 * percent-encoded; a variable Usher does not expand (nginx's {@code $msec}, ...) is refused as the
 * {@code configuration-snippet}'s {@code proxy_set_header} refuses it. A value of blanks only leaves the field out, as
 * nginx's {@code proxy_set_header Name ''} does; other values are sent stripped of surrounding blanks.
 *
 * <p>Stricter than ingress-nginx, all failing closed (the Ingress's routes answer 503, reported): a ConfigMap of
 * another namespace or a missing one; a name that is not ingress-nginx's header name ({@code ^[a-zA-Z\d\-_]+$}), is the
 * proxy's own ({@link HeaderEdit#PROXY_OWNED}) or one Usher sets on every auth request ({@link ExternalAuth#OWN_FIELDS}:
 * nginx would send both values); the same name twice (in another case); a value with a control byte or outside
 * printable ASCII; an unknown variable; more than {@value #MAX_FIELDS} fields. Without the Ingress's own
 * {@code auth-url} the annotation has no effect (as in ingress-nginx, whose {@code global-auth-url} request takes only
 * {@code global-auth-proxy-set-headers}), reported. {@code binaryData} is not read, reported.
 */
public final class NginxAuthProxySetHeaders {

    static final String KEY = "auth-proxy-set-headers";

    /** More fields than this fail closed: each one is work on every auth request. */
    static final int MAX_FIELDS = 64;

    private static final String FAILS_CLOSED = "; the Ingress fails closed (503)";

    static final String NO_AUTH_URL = "has no effect: the Ingress has no auth-url of its own (the fields go only to"
            + " its auth-url request; --global-auth-url's request never takes them)";

    private NginxAuthProxySetHeaders() {}

    /** What is wrong with the annotation's value on its own, or {@code null} ({@link NginxHonoured}). */
    static @Nullable String problem(String name, String value) {
        String problem = ConfigMapReference.problem(value);
        return problem == null ? null : problem + " (with auth-url" + FAILS_CLOSED + ")";
    }

    /** The audit's {@code verdict}, of no effect when the Ingress has no {@code auth-url} of its own. */
    static Annotations.Verdict withAuthUrl(Map<String, String> annotations, Annotations.Verdict verdict) {
        if (!verdict.key().equals(Annotations.NGINX + KEY)
                || verdict.status() != Annotations.Status.HONOURED
                || annotations.containsKey(Annotations.NGINX + NginxExternalAuth.URL)) {
            return verdict;
        }
        return new Annotations.Verdict(verdict.key(), Annotations.Status.NO_EFFECT, NO_AUTH_URL);
    }

    /**
     * The ConfigMap an Ingress in {@code namespace} with {@code annotations} reads, or {@code null} (none, one it may
     * not read, or no {@code auth-url} to send its fields to): what the cluster source watches.
     */
    public static @Nullable ObjectRef configMap(String namespace, @Nullable Map<String, String> annotations) {
        if (annotations == null || !annotations.containsKey(Annotations.NGINX + NginxExternalAuth.URL)) {
            return null;
        }
        return ConfigMapReference.readable(namespace, annotations.get(Annotations.NGINX + KEY));
    }

    /**
     * {@code options} whose external authentication sends the ConfigMap's fields to the auth service; or denied, the
     * reason reported; unchanged without the annotation, and without the Ingress's own {@code auth-url} (reported).
     */
    static RouteOptions apply(
            RouteOptions options,
            String namespace,
            Map<String, String> a,
            KubeObjects objects,
            String source,
            Problems problems) {
        String value = a.get(Annotations.NGINX + KEY);
        if (value == null) {
            return options;
        }
        String v = value.strip();
        if (!a.containsKey(Annotations.NGINX + NginxExternalAuth.URL)) {
            problems.add(source, "annotation " + Annotations.NGINX + KEY + ": " + NO_AUTH_URL);
            return options;
        }
        ExternalAuth auth = options.externalAuth();
        if (auth == null) {
            return options; // an invalid auth-url: denied already, reported by the audit
        }
        List<HeaderEdit> edits;
        try {
            edits = edits(v, namespace, objects, source, problems);
        } catch (IllegalStateException e) {
            String reason = "annotation " + Annotations.NGINX + KEY + ": " + e.getMessage() + FAILS_CLOSED;
            if (ConfigMapReference.problem(v) == null) { // a bad value on its own: the annotation audit reports it
                problems.add(source, reason);
            }
            return options.toBuilder()
                    .denied(options.denied() != null ? options.denied() : reason)
                    .build();
        }
        return edits.isEmpty()
                ? options
                : options.toBuilder()
                        .externalAuth(auth.withProxySetHeaders(edits))
                        .build();
    }

    private static List<HeaderEdit> edits(
            String value, String namespace, KubeObjects objects, String source, Problems problems) {
        ConfigMap configMap = ConfigMapReference.require(value, namespace, objects);
        String id = ConfigMapReference.id(namespace, value);
        Map<String, String> data = ConfigMapReference.sortedData(configMap);
        if (data.size() > MAX_FIELDS) {
            throw new IllegalStateException(id + ": more than " + MAX_FIELDS + " fields");
        }
        List<HeaderEdit> edits = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, String> field : data.entrySet()) {
            String name = field.getKey();
            String text = field.getValue() == null ? "" : field.getValue();
            if (!ConfigMapReference.FIELD_NAME.matcher(name).matches()) {
                throw new IllegalStateException(id + ": " + Problems.quote(ConfigMapReference.clip(name))
                        + " is not a header name ingress-nginx takes (letters, digits, - and _)");
            }
            String proxyOwned = HeaderEdit.nameProblem(name);
            if (proxyOwned != null) {
                throw new IllegalStateException(id + ": " + proxyOwned);
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (ExternalAuth.OWN_FIELDS.contains(lower)) {
                throw new IllegalStateException(id + ": " + name
                        + " is set by Usher on every auth request (Host, X-Original-*, X-Scheme,"
                        + " X-Auth-Request-Redirect, X-Forwarded-*, X-Real-IP, X-Request-ID); nginx would send both"
                        + " values");
            }
            if (!seen.add(lower)) {
                throw new IllegalStateException(id + ": " + name + " is set twice (field names ignore case)");
            }
            if (!printable(text)) {
                throw new IllegalStateException(id + ": the value of " + name
                        + " may hold only printable ASCII, spaces and tabs (no CR, LF or other control byte)");
            }
            String stripped = text.strip();
            if (stripped.isEmpty()) { // nginx sends no field for an empty proxy_set_header value
                edits.add(new HeaderEdit(name, null, HeaderEdit.Mode.CLEAR));
                continue;
            }
            NginxTemplate template;
            try {
                template = stripped.indexOf('$') < 0 ? null : NginxTemplate.parse(stripped);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(id + ": the value of " + name + ": " + e.getMessage(), e);
            }
            edits.add(new HeaderEdit(
                    name, stripped, HeaderEdit.Mode.SET, template == null || template.constant() ? null : template));
        }
        ConfigMapReference.reportBinaryData(configMap, Annotations.NGINX + KEY, id, source, problems);
        return edits;
    }

    /** Visible ASCII, spaces and tabs: no CR, LF or other control byte can reach the field. */
    private static boolean printable(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }
}
