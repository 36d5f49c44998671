package dev.usher.routing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ingress-nginx's {@code from-to-www-redirect}: for an Ingress host {@code example.com} that asks for it, requests to
 * {@code www.example.com} are redirected to {@code example.com}, and for {@code www.example.com} the other way round.
 * The alias exists only while no Ingress serves that name itself (then the annotation is ignored for it, as in
 * ingress-nginx); wildcard and host-less rules have no alias. The oldest Ingress wins an alias two of them would make.
 */
final class WwwRedirects {

    private WwwRedirects() {}

    /**
     * Each alias host with the host it redirects to.
     *
     * @param sorted the Ingresses, oldest first
     * @param hosts every host pattern a rule names (lower case; {@code null} for host-less rules)
     */
    static Map<String, String> of(List<IngressRuleSet> sorted, Set<String> hosts) {
        Map<String, String> aliases = new HashMap<>();
        for (IngressRuleSet ruleSet : sorted) {
            if (!ruleSet.options().fromToWwwRedirect()) {
                continue;
            }
            for (HostRule rule : ruleSet.rules()) {
                String host = HostNormalizer.normalizeRuleHost(rule.host());
                if (host == null || SnapshotCompiler.isWildcard(host)) {
                    continue;
                }
                String alias = host.startsWith("www.") ? host.substring(4) : "www." + host;
                if (!alias.isEmpty() && alias.indexOf('.') > 0 && !hosts.contains(alias)) {
                    aliases.putIfAbsent(alias, host);
                }
            }
        }
        return Map.copyOf(aliases);
    }
}
