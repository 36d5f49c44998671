package dev.usher.k8s.translate;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ingress-nginx's {@code server-alias}: a comma-separated list of more names for the Ingress's hosts (routing's
 * {@code ServerAliases} decides across Ingresses which host an alias joins). Each name must be a DNS name, optionally
 * behind one {@code *.} label, as an Ingress host; a name that is not (nginx's {@code ~regex} or {@code www.example.*}
 * forms included) is dropped and reported, the others are kept. At most {@link #MAX} names are kept: each alias is a
 * copy of its host's routing entry, so the list must not multiply what one Ingress costs without bound (ingress-nginx
 * has no limit; more are reported).
 */
final class NginxServerAlias {

    static final String KEY = "server-alias";

    /** The most names one Ingress's {@code server-alias} gives; the rest are reported and dropped. */
    static final int MAX = 100;

    private NginxServerAlias() {}

    /** The valid names of the annotation, lower-case, each once; empty when absent. */
    static List<String> read(Map<String, String> a) {
        String value = a.get(Annotations.NGINX + KEY);
        if (value == null) {
            return List.of();
        }
        Set<String> names = new LinkedHashSet<>();
        for (String name : value.split(",", -1)) {
            String normalized = HostNames.normalize(name.strip());
            if (normalized != null && names.size() < MAX) {
                names.add(normalized);
            }
        }
        return List.copyOf(names);
    }

    /** What is wrong with the annotation's {@code value}, or {@code null}. */
    static String problem(String name, String value) {
        List<String> bad = new ArrayList<>();
        Set<String> valid = new HashSet<>();
        for (String alias : value.split(",", -1)) {
            String a = alias.strip();
            if (a.isEmpty()) {
                continue; // ingress-nginx skips empty entries too
            }
            String normalized = HostNames.normalize(a);
            if (normalized != null) {
                valid.add(normalized);
            } else if (bad.size() < 5) {
                bad.add(Problems.quote(a.length() > 40 ? a.substring(0, 40) + "..." : a));
            } else if (bad.size() == 5) {
                bad.add("...");
            }
        }
        if (!bad.isEmpty()) {
            return String.join(", ", bad) + (bad.size() == 1 ? " is not a host name" : " are not host names")
                    + " (a DNS name, optionally *.domain; nginx's regex and suffix forms are not supported), dropped"
                    + (valid.isEmpty() ? "" : "; the other names are served");
        }
        if (valid.size() > MAX) {
            return valid.size() + " names: only the first " + MAX + " are served";
        }
        return valid.isEmpty() ? "expected comma-separated host names" : null;
    }
}
