package dev.usher.benchmarks.routing;

import dev.usher.routing.BackendRef;
import dev.usher.routing.HostRule;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.PathRule;
import dev.usher.routing.PathType;
import dev.usher.routing.PortRef;
import dev.usher.routing.RouteOptions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Synthetic Ingresses shaped like a busy multi-tenant cluster: one host per Ingress, five paths per host. */
final class Workloads {

    private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    private Workloads() {}

    static String exactHost(int i) {
        return "app-" + i + ".example.com";
    }

    /** The wildcard pattern {@code *.tenant-i.example.org}. */
    static String wildcardDomain(int i) {
        return "tenant-" + i + ".example.org";
    }

    /**
     * {@code hosts} Ingresses with an exact host and {@code hosts} with a wildcard host, five paths each (three
     * Prefix, one Exact, one Prefix {@code /}); every tenth Ingress has a default backend and a TLS host.
     */
    static List<IngressRuleSet> ingresses(int hosts) {
        List<IngressRuleSet> all = new ArrayList<>(hosts * 2);
        for (int i = 0; i < hosts; i++) {
            all.add(ingress("app-" + i, i, exactHost(i)));
            all.add(ingress("tenant-" + i, hosts + i, "*." + wildcardDomain(i)));
        }
        return all;
    }

    private static IngressRuleSet ingress(String name, int age, String host) {
        String namespace = "ns-" + (age % 50);
        List<PathRule> paths = List.of(
                new PathRule("/", PathType.PREFIX, backend(namespace, name + "-web")),
                new PathRule("/api", PathType.PREFIX, backend(namespace, name + "-api")),
                new PathRule("/api/v1/users", PathType.PREFIX, backend(namespace, name + "-users")),
                new PathRule("/login", PathType.EXACT, backend(namespace, name + "-login")),
                new PathRule("/static/assets", PathType.PREFIX, backend(namespace, name + "-static")));
        boolean tenth = age % 10 == 0;
        return new IngressRuleSet(
                namespace,
                name,
                EPOCH.plusSeconds(age),
                List.of(new HostRule(host, paths)),
                tenth ? backend(namespace, name + "-default") : null,
                tenth ? RouteOptions.builder().tlsHosts(Set.of(host)).build() : RouteOptions.DEFAULT);
    }

    private static BackendRef backend(String namespace, String service) {
        return new BackendRef(namespace, service, PortRef.number(8080));
    }
}
