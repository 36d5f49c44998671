package dev.usher.deploy;

import dev.usher.k8s.translate.WatcherSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * ingress-nginx's {@code global-allowed-response-headers} ConfigMap key as a flag of {@code usher run} and
 * {@code usher check} (a picocli mixin): the response fields a {@code custom-headers} ConfigMap may set.
 */
final class ResponseHeaderOptions {

    /** ingress-nginx's pattern for the names of custom headers; a name outside it could never be allowed. */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z\\d\\-_]+");

    @Option(
            names = "--global-allowed-response-headers",
            paramLabel = "LIST",
            split = ",",
            description = "Response fields the custom-headers annotation's ConfigMaps may set, comma-separated or "
                    + "repeated, any case (ingress-nginx's global-allowed-response-headers). Default: none, so every "
                    + "Ingress with custom-headers answers 503.")
    List<String> names = new ArrayList<>();

    /** {@code settings} with these names allowed; a name that is not a header name is a {@link ParameterException}. */
    WatcherSettings applyTo(WatcherSettings settings, CommandLine commandLine) {
        List<String> allowed = new ArrayList<>();
        for (String name : names) {
            String n = name.strip();
            if (n.isEmpty()) {
                continue;
            }
            if (!NAME.matcher(n).matches()) {
                throw new ParameterException(
                        commandLine,
                        "--global-allowed-response-headers: '" + n.replaceAll("[^\\x21-\\x7e]", "?")
                                + "' is not a header name (letters, digits, - and _)");
            }
            allowed.add(n);
        }
        return settings.withAllowedResponseHeaders(allowed);
    }
}
