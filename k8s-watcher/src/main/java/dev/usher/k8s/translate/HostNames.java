package dev.usher.k8s.translate;

import java.util.Locale;
import java.util.regex.Pattern;

/** Host validation as the Ingress API does it: an RFC 1123 subdomain, optionally behind one {@code *.} label. */
final class HostNames {

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    private HostNames() {}

    /** The lower-case host, or {@code null} if it is not a valid Ingress host. */
    static String normalize(String host) {
        if (host == null) {
            return null;
        }
        String h = host.toLowerCase(Locale.ROOT);
        String rest = h.startsWith("*.") ? h.substring(2) : h;
        if (rest.isEmpty() || rest.length() > 253) {
            return null;
        }
        for (String label : rest.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return null;
            }
        }
        return h;
    }
}
