package dev.usher.routing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * ingress-nginx's {@code server-alias}: more names in the {@code server_name} of the server block of each of the
 * Ingress's hosts, so an alias is routed exactly as its host (every Ingress's paths of that host, its default
 * backend, its redirects). ingress-nginx's rules, from its {@code createServers}:
 *
 * <ul>
 *   <li>a host takes the aliases of the oldest Ingress that has the host and declares any; a younger Ingress's
 *       aliases for the same host are ignored (reported);
 *   <li>an alias that is a host of some Ingress is ignored: the real host wins (reported), and an alias equal to its
 *       own host is dropped silently;
 *   <li>an alias two hosts claim is served by the host first in name order (nginx takes the first server block that
 *       names it, and ingress-nginx writes them sorted by host name; reported);
 *   <li>canary Ingresses and host-less rules have no aliases.
 * </ul>
 *
 * A {@code *.} alias is a one-label wildcard, as an Ingress wildcard host is in Usher, and exact hosts win over it.
 */
public final class ServerAliases {

    private ServerAliases() {}

    /**
     * Each alias with the host pattern it is served as, for rule sets in any order; conflicts are not reported (the
     * snapshot compiler reports them).
     */
    public static Map<String, String> of(Collection<IngressRuleSet> ruleSets) {
        List<IngressRuleSet> sorted = new ArrayList<>(ruleSets.size());
        Set<String> hosts = new HashSet<>();
        for (IngressRuleSet ruleSet : ruleSets) {
            if (ruleSet.options().canary() == null) {
                sorted.add(ruleSet);
                for (HostRule rule : ruleSet.rules()) {
                    String host = HostNormalizer.normalizeRuleHost(rule.host());
                    if (host != null) {
                        hosts.add(host);
                    }
                }
            }
        }
        sorted.sort(SnapshotCompiler.AGE);
        return of(sorted, hosts, new ArrayList<>());
    }

    /**
     * @param sorted the Ingresses that are not canaries, oldest first
     * @param hosts every host pattern their rules name (a {@code null} for host-less rules is allowed)
     * @param conflicts where ignored aliases are reported
     */
    static Map<String, String> of(List<IngressRuleSet> sorted, Set<String> hosts, List<Conflict> conflicts) {
        Map<String, IngressRuleSet> hostOwners = new HashMap<>();
        Map<String, IngressRuleSet> aliasOwners = new HashMap<>();
        for (IngressRuleSet ruleSet : sorted) {
            List<String> declared = ruleSet.options().serverAliases();
            for (HostRule rule : ruleSet.rules()) {
                String host = HostNormalizer.normalizeRuleHost(rule.host());
                if (host == null) {
                    continue;
                }
                hostOwners.putIfAbsent(host, ruleSet);
                if (declared.isEmpty()) {
                    continue;
                }
                IngressRuleSet taken = aliasOwners.putIfAbsent(host, ruleSet);
                if (taken != null && taken != ruleSet) {
                    for (String alias : declared) {
                        if (!taken.options().serverAliases().contains(alias)) {
                            conflicts.add(new Conflict(
                                    alias,
                                    null,
                                    null,
                                    taken.id(),
                                    ruleSet.id(),
                                    "server-alias of host " + host + " ignored: a host takes the aliases of one"
                                            + " Ingress, as ingress-nginx: "
                                            + SnapshotCompiler.precedence(taken, ruleSet)));
                        }
                    }
                }
            }
        }
        if (aliasOwners.isEmpty()) {
            return Map.of();
        }
        List<String> patterns = new ArrayList<>(aliasOwners.keySet());
        patterns.sort(null); // ingress-nginx's server blocks are in host name order
        Map<String, String> aliases = new HashMap<>();
        for (String host : patterns) {
            IngressRuleSet owner = Objects.requireNonNull(aliasOwners.get(host));
            for (String alias : owner.options().serverAliases()) {
                if (alias.equals(host)) {
                    continue;
                }
                if (hosts.contains(alias)) {
                    IngressRuleSet real = Objects.requireNonNull(hostOwners.get(alias)); // a host of sorted
                    conflicts.add(new Conflict(
                            alias,
                            null,
                            null,
                            real.id(),
                            owner.id(),
                            "server-alias of host " + host + " ignored: " + real.id() + " serves " + alias
                                    + " as its host, and a real host wins over an alias (as ingress-nginx)"));
                    continue;
                }
                String first = aliases.putIfAbsent(alias, host);
                if (first != null && !first.equals(host)) {
                    conflicts.add(new Conflict(
                            alias,
                            null,
                            null,
                            Objects.requireNonNull(aliasOwners.get(first)).id(),
                            owner.id(),
                            "server-alias claimed by hosts " + first + " and " + host + ": served as " + first
                                    + " (nginx takes the first server block naming it, and ingress-nginx writes them"
                                    + " in host name order)"));
                }
            }
        }
        return Map.copyOf(aliases);
    }
}
