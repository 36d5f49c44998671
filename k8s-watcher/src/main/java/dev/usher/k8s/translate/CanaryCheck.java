package dev.usher.k8s.translate;

import dev.usher.k8s.translate.IngressConverter.Converted;
import dev.usher.routing.BackendRef;
import dev.usher.routing.HostRule;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.PathRule;
import dev.usher.routing.PathType;
import dev.usher.routing.RegexHosts;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The step after conversion for ingress-nginx canaries ({@code canary: "true"}): a canary only joins main routes, so
 * it spans Ingresses. A canary path with no main route of the same host, type and path (compared as conflicts compare
 * them), and a canary default backend with no main catch-all, are reported and dropped: ingress-nginx ignores them
 * ("unable to find real backend for alternative backend"), and a canary never creates a host or a route of its own.
 * A canary's {@code spec.tls} is dropped too (its main Ingress's TLS applies), so it cannot change a certificate. Which
 * canary a main route keeps when two name it is the snapshot compiler's call (oldest first, the other a conflict).
 */
final class CanaryCheck {

    private record MainKey(String host, PathType type, String key) {}

    private CanaryCheck() {}

    static List<Converted> apply(List<Converted> converted, Problems problems) {
        if (converted.stream().noneMatch(CanaryCheck::isCanary)) {
            return converted;
        }
        List<IngressRuleSet> mains = converted.stream()
                .filter(c -> !isCanary(c))
                .map(Converted::ruleSet)
                .toList();
        Set<String> regexHosts = RegexHosts.of(mains);
        Set<MainKey> routed = new HashSet<>();
        boolean catchAll = false;
        for (IngressRuleSet main : mains) {
            catchAll |= main.rules().isEmpty() && main.defaultBackend() != null;
            for (HostRule rule : main.rules()) {
                for (PathRule path : rule.paths()) {
                    routed.add(key(rule.host(), path, regexHosts));
                }
            }
        }
        List<Converted> checked = new ArrayList<>(converted.size());
        for (Converted c : converted) {
            checked.add(isCanary(c) ? check(c, routed, catchAll, regexHosts, problems) : c);
        }
        return checked;
    }

    private static Converted check(
            Converted c, Set<MainKey> routed, boolean catchAll, Set<String> regexHosts, Problems problems) {
        IngressRuleSet canary = c.ruleSet();
        String source = "Ingress " + canary.id();
        List<HostRule> rules = new ArrayList<>(canary.rules().size());
        for (HostRule rule : canary.rules()) {
            List<PathRule> paths = new ArrayList<>(rule.paths().size());
            for (PathRule path : rule.paths()) {
                if (routed.contains(key(rule.host(), path, regexHosts))) {
                    paths.add(path);
                } else {
                    problems.add(
                            source,
                            "canary: no other Ingress routes host " + (rule.host() == null ? "*" : rule.host()) + " "
                                    + path.type() + " path " + Problems.quote(path.path())
                                    + ", so there is no main route to share; ignored, as ingress-nginx ignores it");
                }
            }
            if (!paths.isEmpty()) {
                rules.add(new HostRule(rule.host(), paths));
            }
        }
        BackendRef fallback = canary.defaultBackend();
        if (fallback != null && !catchAll) {
            problems.add(
                    source,
                    "canary: spec.defaultBackend has no main catch-all default backend (an Ingress "
                            + "without rules) to share; ignored");
            fallback = null;
        }
        if (!c.tls().isEmpty()) {
            problems.add(source, "canary: spec.tls is ignored; the main Ingress's TLS settings apply");
        }
        return new Converted(
                new IngressRuleSet(
                        canary.namespace(),
                        canary.name(),
                        canary.creationTimestamp(),
                        rules,
                        fallback,
                        canary.options()),
                List.of());
    }

    private static boolean isCanary(Converted c) {
        return c.ruleSet().options().canary() != null;
    }

    private static MainKey key(String host, PathRule path, Set<String> regexHosts) {
        String key = path.path();
        if (path.type() == PathType.PREFIX && !RegexHosts.contains(regexHosts, host)) {
            int end = key.length();
            while (end > 0 && key.charAt(end - 1) == '/') {
                end--;
            }
            key = key.substring(0, end);
        }
        return new MainKey(host, path.type(), key);
    }
}
