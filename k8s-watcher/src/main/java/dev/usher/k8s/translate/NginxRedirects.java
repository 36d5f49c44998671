package dev.usher.k8s.translate;

import dev.usher.routing.LocalRedirect;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * ingress-nginx's {@code force-ssl-redirect}, {@code permanent-redirect} (+ {@code -code}), {@code temporal-redirect}
 * (+ {@code -code}) and {@code app-root}, with its rules: a temporal redirect wins over a permanent one; a code outside
 * 300-308 (300-307 for temporal) falls back to 301 (302); redirect targets are absolute http(s) URLs and the app root
 * an absolute path, both of the characters ingress-nginx's validators admit - so no CR/LF, space, quote or nginx
 * variable ({@code $host} is not expanded by Usher: reported, not honoured). An invalid value is ignored and reported
 * by the annotation audit ({@link #problem}).
 */
final class NginxRedirects {

    static final String FORCE_SSL = "force-ssl-redirect";
    static final String PERMANENT = "permanent-redirect";
    static final String PERMANENT_CODE = "permanent-redirect-code";
    static final String TEMPORAL = "temporal-redirect";
    static final String TEMPORAL_CODE = "temporal-redirect-code";
    static final String APP_ROOT = "app-root";

    /** ingress-nginx's URLIsValidRegex: alphanumerics and {@code -._~/:,?&=}. */
    private static final Pattern URL_CHARS = Pattern.compile("[-._~A-Za-z0-9/:,?&=]+");
    /** ingress-nginx's app-root characters, without {@code $} (Usher expands no nginx variable). */
    private static final Pattern PATH = Pattern.compile("/[-._~A-Za-z0-9/:]*");

    private NginxRedirects() {}

    static boolean forceSslRedirect(Map<String, String> a) {
        return Boolean.TRUE.equals(Annotations.nginxFlag(a, FORCE_SSL, "true", "false"));
    }

    /** The local redirect, temporal first as in ingress-nginx, or {@code null}. */
    static LocalRedirect redirect(Map<String, String> a) {
        LocalRedirect temporal = redirect(a, TEMPORAL, TEMPORAL_CODE, 302, 307);
        return temporal != null ? temporal : redirect(a, PERMANENT, PERMANENT_CODE, 301, 308);
    }

    static String appRoot(Map<String, String> a) {
        String value = a.get(Annotations.NGINX + APP_ROOT);
        return value != null && appRootProblem(value.strip()) == null ? value.strip() : null;
    }

    /** What is wrong with {@code value} of annotation {@code name} (one of this class's), or {@code null}. */
    static String problem(String name, String value) {
        return switch (name) {
            case FORCE_SSL ->
                "true".equalsIgnoreCase(value) || "false".equalsIgnoreCase(value)
                        ? null
                        : "expected \"true\" or \"false\"";
            case PERMANENT, TEMPORAL -> urlProblem(value);
            case PERMANENT_CODE -> code(value, 308) > 0 ? null : "expected a status from 300 to 308; 301 is used";
            case TEMPORAL_CODE -> code(value, 307) > 0 ? null : "expected a status from 300 to 307; 302 is used";
            case APP_ROOT -> appRootProblem(value);
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static LocalRedirect redirect(
            Map<String, String> a, String name, String codeName, int defaultCode, int maxCode) {
        String url = a.get(Annotations.NGINX + name);
        if (url == null || url.isBlank() || urlProblem(url.strip()) != null) {
            return null;
        }
        String codeText = a.get(Annotations.NGINX + codeName);
        int code = codeText == null ? -1 : code(codeText.strip(), maxCode);
        return new LocalRedirect(url.strip(), code > 0 ? code : defaultCode);
    }

    private static int code(String value, int max) {
        if (!value.matches("\\d{3}")) {
            return -1;
        }
        int code = Integer.parseInt(value);
        return code >= 300 && code <= max ? code : -1;
    }

    /** An absolute http or https URL with a host, of ingress-nginx's URL characters; {@code null} when it is one. */
    static String urlProblem(String value) {
        if (value.indexOf('$') >= 0) {
            return "nginx variables such as $request_uri are not allowed (ingress-nginx's annotation validation "
                    + "refuses them too)";
        }
        if (!URL_CHARS.matcher(value).matches()) {
            return "a redirect URL may hold only letters, digits and -._~/:,?&=";
        }
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme();
            if (scheme == null
                    || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    || uri.getHost() == null) {
                return "expected an absolute http:// or https:// URL with a host";
            }
        } catch (URISyntaxException e) {
            return "not a URL";
        }
        return null;
    }

    private static String appRootProblem(String value) {
        if (value.indexOf('$') >= 0) {
            return "nginx variables are not expanded by Usher yet";
        }
        return PATH.matcher(value).matches() && !value.startsWith("//")
                ? null
                : "expected an absolute path such as /app (letters, digits and -._~/:)";
    }
}
