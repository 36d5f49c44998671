package dev.usher.routing;

import java.util.Collection;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which host patterns are in regex mode, decided as ingress-nginx decides it: once any Ingress with rules for a host
 * sets {@code use-regex: "true"} or a {@code rewrite-target} that differs from one of its paths there, every path of
 * that host, from every Ingress and of every pathType, is a case-insensitive regex anchored at the start
 * ({@code location ~* "^<path>"}). Host-less rules form one more "host" ({@code null}), as nginx's default server does.
 */
public final class RegexHosts {

    private RegexHosts() {}

    /** The normalised host patterns in regex mode; {@code null} stands for host-less rules. */
    public static Set<String> of(Collection<IngressRuleSet> ruleSets) {
        Objects.requireNonNull(ruleSets, "ruleSets");
        Set<String> hosts = new HashSet<>();
        for (IngressRuleSet ruleSet : ruleSets) {
            if (ruleSet.options().canary() != null) {
                continue; // a canary's annotations are its main Ingress's, as in ingress-nginx
            }
            NginxPaths nginx = ruleSet.options().nginxPaths();
            for (HostRule rule : ruleSet.rules()) {
                for (PathRule path : rule.paths()) {
                    if (nginx.regexFor(path.path())) {
                        hosts.add(HostNormalizer.normalizeRuleHost(rule.host()));
                        break;
                    }
                }
            }
        }
        return hosts;
    }

    /** Whether {@code host} (as written in a rule; {@code null} for none) is one of {@code regexHosts}. */
    public static boolean contains(Set<String> regexHosts, @Nullable String host) {
        return regexHosts.contains(HostNormalizer.normalizeRuleHost(host));
    }

    /** Why {@code path} cannot be a regex path under RE2's syntax (the reason RE2 gives), or {@code null}. */
    public static @Nullable String problem(String path) {
        return RegexPath.problem(Objects.requireNonNull(path, "path"));
    }
}
