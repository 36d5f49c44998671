package dev.usher.deploy;

import dev.usher.k8s.translate.GlobalAuth;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * ingress-nginx's {@code global-auth-*} ConfigMap keys as flags of {@code usher run} and {@code usher check} (a
 * picocli mixin): external authentication for every Ingress without its own {@code auth-url} that does not opt out
 * with {@code enable-global-auth: "false"}. Each value is checked as the annotation of the same name.
 */
final class GlobalAuthOptions {

    @Option(
            names = "--global-auth-url",
            paramLabel = "URL",
            description = "auth-url for every Ingress without its own that does not set enable-global-auth: \"false\" "
                    + "(ingress-nginx's global-auth-url; default: none).")
    String url;

    @Option(
            names = "--global-auth-method",
            paramLabel = "METHOD",
            description = "auth-method of --global-auth-url (default: GET).")
    String method;

    @Option(
            names = "--global-auth-signin",
            paramLabel = "URL",
            description = "auth-signin of --global-auth-url (default: none).")
    String signin;

    @Option(
            names = "--global-auth-signin-redirect-param",
            paramLabel = "NAME",
            description = "auth-signin-redirect-param of --global-auth-url (default: rd).")
    String signinRedirectParam;

    @Option(
            names = "--global-auth-response-headers",
            paramLabel = "FIELDS",
            description = "auth-response-headers of --global-auth-url, comma-separated (default: none).")
    String responseHeaders;

    @Option(
            names = "--global-auth-request-redirect",
            paramLabel = "URL",
            description = "auth-request-redirect of --global-auth-url (default: the request URI).")
    String requestRedirect;

    @Option(
            names = "--global-auth-always-set-cookie",
            paramLabel = "BOOLEAN",
            description = "auth-always-set-cookie of --global-auth-url (default: false).")
    String alwaysSetCookie;

    @Option(
            names = "--global-auth-cache-key",
            paramLabel = "KEY",
            description = "auth-cache-key of --global-auth-url (default: no cache).")
    String cacheKey;

    @Option(
            names = "--global-auth-cache-duration",
            paramLabel = "DURATIONS",
            description = "auth-cache-duration of --global-auth-url (default: 200 202 401 5m).")
    String cacheDuration;

    /** The global authentication these flags describe, or {@code null}; a bad value is a {@link ParameterException}. */
    GlobalAuth toGlobalAuth(CommandLine commandLine) {
        Map<String, String> values = new HashMap<>();
        put(values, "auth-url", url);
        put(values, "auth-method", method);
        put(values, "auth-signin", signin);
        put(values, "auth-signin-redirect-param", signinRedirectParam);
        put(values, "auth-response-headers", responseHeaders);
        put(values, "auth-request-redirect", requestRedirect);
        put(values, "auth-always-set-cookie", alwaysSetCookie);
        put(values, "auth-cache-key", cacheKey);
        put(values, "auth-cache-duration", cacheDuration);
        try {
            return GlobalAuth.of(values);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(commandLine, e.getMessage(), e);
        }
    }

    private static void put(Map<String, String> values, String name, String value) {
        if (value != null) {
            values.put(name, value);
        }
    }
}
