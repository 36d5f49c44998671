package dev.usher.k8s.translate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * ingress-nginx's global external authentication (its ConfigMap's {@code global-auth-*} keys; Usher's
 * {@code --global-auth-*} flags): the {@code auth-url} family applied to every Ingress that has no {@code auth-url}
 * of its own and does not opt out with {@code enable-global-auth: "false"}.
 *
 * <p>The values are checked at start-up with the annotations' own checks ({@link NginxExternalAuth#problem},
 * {@link NginxAuthCache#problem}), and applied by adding them to such an Ingress's annotations before they are
 * parsed, so a global auth URL means exactly what the same {@code auth-*} annotations mean.
 *
 * @param annotations the {@code nginx.ingress.kubernetes.io/auth-*} annotations the flags stand for, by full key
 */
public record GlobalAuth(Map<String, String> annotations) {

    /** {@code enable-global-auth: "false"} opts an Ingress out (read here, registered in NginxHonoured). */
    static final String ENABLE = "enable-global-auth";

    /** The annotation names the flags stand for; flag {@code --global-<name>} is annotation {@code <name>}. */
    public static final List<String> NAMES = List.of(
            NginxExternalAuth.URL,
            NginxExternalAuth.METHOD,
            NginxExternalAuth.SIGNIN,
            NginxExternalAuth.REDIRECT_PARAM,
            NginxExternalAuth.RESPONSE_HEADERS,
            NginxExternalAuth.REQUEST_REDIRECT,
            NginxAuthCache.ALWAYS_SET_COOKIE,
            NginxAuthCache.CACHE_KEY,
            NginxAuthCache.CACHE_DURATION);

    public GlobalAuth {
        annotations = Map.copyOf(annotations);
        if (!annotations.containsKey(Annotations.NGINX + NginxExternalAuth.URL)) {
            throw new IllegalArgumentException("global auth needs an auth-url");
        }
    }

    /**
     * The global authentication the flag values describe ({@code values} by annotation name, as {@link #NAMES};
     * missing or null entries are unset), or {@code null} when none is set.
     *
     * @throws IllegalArgumentException naming the flag ({@code --global-auth-...}) and what is wrong with its value,
     *     or that the others need {@code --global-auth-url}
     */
    public static @Nullable GlobalAuth of(Map<String, String> values) {
        Map<String, String> annotations = new LinkedHashMap<>();
        for (String name : NAMES) {
            String value = values.get(name);
            if (value == null) {
                continue;
            }
            String problem = problem(name, value);
            if (problem != null) {
                throw new IllegalArgumentException("--global-" + name + ": " + Problems.quote(value) + " "
                        + problem.replace("; the Ingress fails closed (503)", ""));
            }
            annotations.put(Annotations.NGINX + name, value.strip());
        }
        for (String name : values.keySet()) {
            if (!NAMES.contains(name)) {
                throw new IllegalArgumentException("not a global auth setting: " + name);
            }
        }
        if (annotations.isEmpty()) {
            return null;
        }
        if (!annotations.containsKey(Annotations.NGINX + NginxExternalAuth.URL)) {
            throw new IllegalArgumentException(
                    "--global-" + annotations.keySet().iterator().next().substring(Annotations.NGINX.length())
                            + " needs --global-auth-url");
        }
        return new GlobalAuth(annotations);
    }

    private static @Nullable String problem(String name, String value) {
        if (name.equals(NginxExternalAuth.URL) && value.isBlank()) {
            return "names no URL";
        }
        return name.startsWith("auth-cache") || name.equals(NginxAuthCache.ALWAYS_SET_COOKIE)
                ? NginxAuthCache.problem(name, value)
                : NginxExternalAuth.problem(name, value);
    }

    /**
     * {@code verdict} with the flags: a valid {@code enable-global-auth} has nothing to opt out of, and so no effect,
     * when no {@code --global-auth-url} is set.
     */
    static Annotations.Verdict withFlags(Annotations.Verdict verdict, @Nullable GlobalAuth global) {
        if (global != null
                || verdict.status() != Annotations.Status.HONOURED
                || !verdict.key().equals(Annotations.NGINX + ENABLE)) {
            return verdict;
        }
        return new Annotations.Verdict(
                verdict.key(),
                Annotations.Status.NO_EFFECT,
                "no --global-auth-url is set: there is no global authentication to opt out of");
    }

    /**
     * {@code annotations} with the global {@code auth-*} values added when they apply (ingress-nginx's
     * {@code shouldApplyGlobalAuth}): the Ingress has no {@code auth-url} of its own and {@code enable-global-auth}
     * is not {@code "false"}. Otherwise {@code annotations} unchanged: an Ingress's own {@code auth-url} is used with
     * its own {@code auth-*} keys only. Any other {@code enable-global-auth} value keeps global auth on (fails closed).
     */
    static Map<String, String> applyTo(@Nullable GlobalAuth global, Map<String, String> annotations) {
        Objects.requireNonNull(annotations, "annotations");
        if (global == null || !applies(annotations)) {
            return annotations;
        }
        Map<String, String> merged = new LinkedHashMap<>(annotations);
        // the Ingress's own auth-* keys have no effect without its own auth-url (as in ingress-nginx): the global ones
        // replace them all, so an Ingress cannot, say, widen auth-response-headers of the global service
        for (String name : NAMES) {
            merged.remove(Annotations.NGINX + name);
        }
        merged.putAll(global.annotations());
        return merged;
    }

    /** Whether global auth applies to an Ingress with these annotations (when a global auth URL is set). */
    static boolean applies(Map<String, String> annotations) {
        String own = annotations.get(Annotations.NGINX + NginxExternalAuth.URL);
        return own == null
                && !"false"
                        .equalsIgnoreCase(String.valueOf(annotations.get(Annotations.NGINX + ENABLE))
                                .strip());
    }
}
