package dev.usher.routing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Terse builders for rule sets in tests. */
final class Fixtures {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private Fixtures() {}

    static BackendRef svc(String name) {
        return new BackendRef("default", name, PortRef.number(80));
    }

    static PathRule exact(String path, String service) {
        return new PathRule(path, PathType.EXACT, svc(service));
    }

    static PathRule prefix(String path, String service) {
        return new PathRule(path, PathType.PREFIX, svc(service));
    }

    static PathRule plain(String path, String service) {
        return new PathRule(path, PathType.IMPLEMENTATION_SPECIFIC, svc(service));
    }

    static HostRule host(String host, PathRule... paths) {
        return new HostRule(host, Arrays.asList(paths));
    }

    /** A fluent rule set: {@code ingress("a").age(1).rule(host(..)).build()}. */
    static IngressBuilder ingress(String name) {
        return new IngressBuilder("default", name);
    }

    static IngressBuilder ingress(String namespace, String name) {
        return new IngressBuilder(namespace, name);
    }

    static RoutingSnapshot snapshot(IngressRuleSet... ruleSets) {
        return RoutingSnapshot.builder().addAll(List.of(ruleSets)).build(new RoutingTable()::backend);
    }

    static final class IngressBuilder {
        private final String namespace;
        private final String name;
        private Instant created = T0;
        private final List<HostRule> rules = new ArrayList<>();
        private BackendRef defaultBackend;
        private String rewrite;
        private Set<String> tlsHosts = Set.of();
        private boolean sslRedirect = true;
        private boolean requestBuffering = true;
        private NginxPaths nginxPaths = NginxPaths.NONE;
        private CanaryRule canary;

        IngressBuilder(String namespace, String name) {
            this.namespace = namespace;
            this.name = name;
        }

        /** Created {@code seconds} after {@link #T0}. */
        IngressBuilder age(int seconds) {
            created = T0.plusSeconds(seconds);
            return this;
        }

        IngressBuilder rule(HostRule rule) {
            rules.add(rule);
            return this;
        }

        IngressBuilder defaultBackend(String service) {
            defaultBackend = svc(service);
            return this;
        }

        IngressBuilder rewrite(String target) {
            rewrite = target;
            return this;
        }

        /** ingress-nginx's {@code use-regex} and {@code rewrite-target} (nullable). */
        IngressBuilder nginx(boolean useRegex, String rewriteTarget) {
            nginxPaths = new NginxPaths(useRegex, rewriteTarget);
            return this;
        }

        /** ingress-nginx's {@code canary: "true"} with this traffic shaping. */
        IngressBuilder canary(CanaryRule rule) {
            canary = rule;
            return this;
        }

        IngressBuilder requestBuffering(boolean on) {
            requestBuffering = on;
            return this;
        }

        IngressBuilder tls(boolean redirect, String... hosts) {
            tlsHosts = Set.of(hosts);
            sslRedirect = redirect;
            return this;
        }

        IngressRuleSet build() {
            return new IngressRuleSet(
                    namespace,
                    name,
                    created,
                    rules,
                    defaultBackend,
                    RouteOptions.builder()
                            .rewriteTarget(rewrite)
                            .tlsHosts(tlsHosts)
                            .sslRedirect(sslRedirect)
                            .requestBuffering(requestBuffering)
                            .nginxPaths(nginxPaths)
                            .canary(canary)
                            .build());
        }
    }
}
