package dev.usher.k8s.translate;

import dev.usher.k8s.translate.Annotations.Status;
import dev.usher.k8s.translate.Annotations.Verdict;
import dev.usher.k8s.translate.IngressConverter.Converted;
import dev.usher.routing.HostRule;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.PathRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * ingress-nginx's {@code ssl-passthrough: "true"}: TLS connections whose server name is one of the Ingress's hosts go
 * to the backend of the host's {@code /} path (or its default backend) without Usher terminating TLS. As in
 * ingress-nginx it takes effect only under {@code --enable-ssl-passthrough} (off by default); without the flag the
 * annotation is reported as having no effect, never silently dropped. With it, the Ingress's other annotations and
 * its paths other than {@code /} cannot apply to those connections (only the host is read, at layer 4): reported
 * too. Plain HTTP to the same hosts is routed as usual. Which hosts pass through is settled across Ingresses when the
 * snapshot is compiled ({@code RoutingSnapshot.passthrough}).
 */
final class NginxSslPassthrough {

    static final String PASSTHROUGH = "ssl-passthrough";

    private static final String FLAG_OFF = "no effect: --enable-ssl-passthrough is off (off by default, as in"
            + " ingress-nginx); Usher terminates TLS for these hosts";

    private NginxSslPassthrough() {}

    /** Whether the annotation says {@code "true"} (an invalid value counts as absent: the audit reports it). */
    static boolean read(Map<String, String> a) {
        return Boolean.TRUE.equals(Annotations.nginxFlag(a, PASSTHROUGH, "true", "false"));
    }

    /** What is wrong with {@code value}, or {@code null}. */
    static @Nullable String problem(String name, String value) {
        String v = value.strip();
        return "true".equalsIgnoreCase(v) || "false".equalsIgnoreCase(v) ? null : "expected \"true\" or \"false\"";
    }

    /**
     * The converted Ingress under the flag: off, its passthrough is cleared (the audit says why); on, what cannot
     * apply to its passthrough connections is reported.
     */
    static Converted apply(
            Converted converted, Map<String, String> a, boolean enabled, String source, Problems problems) {
        IngressRuleSet r = converted.ruleSet();
        if (!r.options().sslPassthrough()) {
            return converted;
        }
        if (!enabled) {
            return converted.withOptions(
                    r.options().toBuilder().sslPassthrough(false).build());
        }
        report(r, a, source, problems);
        return converted;
    }

    private static void report(IngressRuleSet r, Map<String, String> a, String source, Problems problems) {
        Set<String> hosts = new TreeSet<>();
        Set<String> paths = new TreeSet<>();
        for (HostRule rule : r.rules()) {
            if (rule.host() == null || rule.host().startsWith("*.")) {
                continue; // not passed through: the compiler reports these
            }
            hosts.add(rule.host());
            for (PathRule path : rule.paths()) {
                if (!path.path().equals("/")) {
                    paths.add(path.path());
                }
            }
        }
        List<String> others = new ArrayList<>();
        for (String key : new TreeSet<>(a.keySet())) {
            if ((key.startsWith(Annotations.NGINX) || key.startsWith(Annotations.USHER))
                    && !key.equals(Annotations.NGINX + PASSTHROUGH)) {
                others.add(key);
            }
        }
        if (hosts.isEmpty() || (others.isEmpty() && paths.isEmpty())) {
            return;
        }
        StringBuilder lost = new StringBuilder();
        if (!others.isEmpty()) {
            lost.append("annotations ").append(String.join(", ", others));
        }
        if (!paths.isEmpty()) {
            lost.append(lost.isEmpty() ? "" : " and ").append("paths ").append(String.join(", ", paths));
        }
        problems.add(
                source,
                "ssl-passthrough: TLS connections to " + String.join(", ", hosts) + " are passed through by host"
                        + " alone (layer 4, as in ingress-nginx): " + lost + " have no effect on them; plain HTTP"
                        + " still routes them");
    }

    /** {@code verdict} with the flag: an honoured {@code "true"} has no effect without it. */
    static Verdict withFlag(Verdict verdict, Map<String, String> a, boolean enabled) {
        if (enabled
                || verdict.status() != Status.HONOURED
                || !verdict.key().equals(Annotations.NGINX + PASSTHROUGH)
                || !read(a)) {
            return verdict;
        }
        return new Verdict(verdict.key(), Status.UNSUPPORTED, FLAG_OFF);
    }
}
