package dev.usher.k8s.translate;

import dev.usher.routing.BackendRef;
import dev.usher.routing.HeaderEdit;
import dev.usher.routing.HostRule;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.LocalRedirect;
import dev.usher.routing.PathRule;
import dev.usher.routing.PathType;
import dev.usher.routing.PortRef;
import dev.usher.routing.RouteOptions;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressSpec;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceBackendPort;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reduces one Ingress of ours to an {@link IngressRuleSet}, validating as it goes.
 *
 * <p>Each bad piece (host, path, backend, annotation) is reported and skipped on its own; the rest of the Ingress
 * keeps serving. Backends are always taken in the Ingress's namespace: a Service name that tries to reach another
 * namespace ({@code other/svc}) is refused.
 */
final class IngressConverter {

    static final String REWRITE_TARGET = "usher.dev/rewrite-target";
    static final String SSL_REDIRECT = "usher.dev/ssl-redirect";
    static final String REQUEST_BUFFERING = "usher.dev/request-buffering";

    /** One {@code spec.tls} entry after validation: lower-case valid hosts and the Secret's name (may be null). */
    record TlsEntry(List<String> hosts, String secretName) {}

    /** The rule set plus the TLS entries that the certificate step resolves. */
    record Converted(IngressRuleSet ruleSet, List<TlsEntry> tls) {
        /** The same Ingress with other route options. */
        Converted withOptions(RouteOptions options) {
            IngressRuleSet r = ruleSet;
            return new Converted(
                    new IngressRuleSet(
                            r.namespace(), r.name(), r.creationTimestamp(), r.rules(), r.defaultBackend(), options),
                    tls);
        }
    }

    private IngressConverter() {}

    static String source(Ingress ingress) {
        return "Ingress " + KubeObjects.key(ingress);
    }

    static Converted convert(Ingress ingress, Problems problems) {
        return convert(ingress, null, problems);
    }

    /** As {@link #convert(Ingress, Problems)}, with {@code --global-auth-*} ({@code null}: none) where it applies. */
    static Converted convert(Ingress ingress, GlobalAuth globalAuth, Problems problems) {
        String ns = KubeObjects.namespace(ingress);
        String source = source(ingress);
        IngressSpec spec = ingress.getSpec() == null ? new IngressSpec() : ingress.getSpec();
        BackendRef defaultBackend = spec.getDefaultBackend() == null
                ? null
                : backend(spec.getDefaultBackend(), ns, source, "spec.defaultBackend", problems);
        List<HostRule> rules = new ArrayList<>();
        List<IngressRule> specRules = spec.getRules() == null ? List.of() : spec.getRules();
        for (int r = 0; r < specRules.size(); r++) {
            HostRule rule = rule(specRules.get(r), ns, source, "spec.rules[" + r + "]", problems);
            if (rule != null) {
                rules.add(rule);
            }
        }
        Map<String, String> annotations = ingress.getMetadata().getAnnotations();
        if (annotations != null
                && Boolean.TRUE.equals(
                        Annotations.nginxFlag(annotations, NginxHonoured.SERVICE_UPSTREAM, "true", "false"))) {
            // ingress-nginx's service-upstream: the Service's cluster IP instead of its endpoints (BackendResolver)
            defaultBackend = defaultBackend == null ? null : defaultBackend.viaClusterIp();
            rules.replaceAll(rule -> new HostRule(
                    rule.host(),
                    rule.paths().stream()
                            .map(p ->
                                    new PathRule(p.path(), p.type(), p.backend().viaClusterIp()))
                            .toList()));
        }
        List<TlsEntry> tls = tls(spec.getTls(), source, problems);
        Set<String> tlsHosts = new LinkedHashSet<>();
        tls.forEach(entry -> tlsHosts.addAll(entry.hosts()));
        RouteOptions options = options(
                GlobalAuth.applyTo(globalAuth, annotations == null ? Map.of() : annotations),
                tlsHosts,
                source,
                problems);
        if (options.externalAuth() != null
                && options.externalAuth().hostFromRequest()
                && (defaultBackend != null || rules.stream().anyMatch(rule -> rule.host() == null))) {
            problems.add(
                    source,
                    "annotation " + Annotations.NGINX + NginxExternalAuth.URL
                            + ": takes the auth service's host from the request ($host, $best_http_host), which any"
                            + " client chooses on a rule without a host or the default backend: those answer 500"
                            + " (external authentication failed); rules with a host are checked as written");
        }
        IngressRuleSet ruleSet = new IngressRuleSet(
                ns,
                ingress.getMetadata().getName(),
                creationTimestamp(ingress, source, problems),
                rules,
                defaultBackend,
                options);
        return new Converted(ruleSet, tls);
    }

    private static HostRule rule(IngressRule rule, String ns, String source, String where, Problems problems) {
        String host = null;
        if (rule.getHost() != null && !rule.getHost().isEmpty()) {
            host = HostNames.normalize(rule.getHost());
            if (host == null) {
                problems.add(source, where + ": invalid host " + Problems.quote(rule.getHost()) + "; rule skipped");
                return null;
            }
        }
        List<PathRule> paths = new ArrayList<>();
        List<HTTPIngressPath> specPaths =
                rule.getHttp() == null || rule.getHttp().getPaths() == null
                        ? List.of()
                        : rule.getHttp().getPaths();
        for (int p = 0; p < specPaths.size(); p++) {
            PathRule path = path(specPaths.get(p), ns, source, where + ".http.paths[" + p + "]", problems);
            if (path != null) {
                paths.add(path);
            }
        }
        return new HostRule(host, paths);
    }

    private static PathRule path(HTTPIngressPath path, String ns, String source, String where, Problems problems) {
        if (path.getPathType() == null) {
            problems.add(source, where + ": pathType is required in networking.k8s.io/v1; path skipped");
            return null;
        }
        PathType type =
                switch (path.getPathType()) {
                    case "Exact" -> PathType.EXACT;
                    case "Prefix" -> PathType.PREFIX;
                    case "ImplementationSpecific" -> PathType.IMPLEMENTATION_SPECIFIC;
                    default -> null;
                };
        if (type == null) {
            problems.add(source, where + ": unknown pathType '" + path.getPathType() + "'; path skipped");
            return null;
        }
        String value = path.getPath();
        if ((value == null || value.isEmpty()) && type == PathType.IMPLEMENTATION_SPECIFIC) {
            value = "/";
        }
        if (value == null || !value.startsWith("/")) {
            problems.add(
                    source,
                    where + ": path must start with '/', got " + (value == null ? "none" : Problems.quote(value))
                            + "; path skipped");
            return null;
        }
        String invalid = RulePaths.pathProblem(value, type);
        if (invalid != null) {
            problems.add(source, where + ": path " + Problems.quote(value) + " " + invalid + "; path skipped");
            return null;
        }
        if (path.getBackend() == null) {
            problems.add(source, where + ": backend is required; path skipped");
            return null;
        }
        BackendRef backend = backend(path.getBackend(), ns, source, where + ".backend", problems);
        return backend == null ? null : new PathRule(value, type, backend);
    }

    private static BackendRef backend(
            IngressBackend backend, String ns, String source, String where, Problems problems) {
        IngressServiceBackend service = backend.getService();
        if (service == null) {
            problems.add(source, where + ": only Service backends are supported; skipped");
            return null;
        }
        String name = service.getName();
        if (name == null || name.isEmpty()) {
            problems.add(source, where + ": service.name is required; skipped");
            return null;
        }
        if (name.contains("/")) {
            problems.add(
                    source,
                    where + ": Service '" + name
                            + "' is outside the Ingress's namespace; an Ingress may only use Services in its own; skipped");
            return null;
        }
        PortRef port = port(service.getPort());
        if (port == null) {
            problems.add(source, where + ": service.port needs exactly one of a number (1-65535) or a name; skipped");
            return null;
        }
        return new BackendRef(ns, name, port);
    }

    private static PortRef port(ServiceBackendPort port) {
        if (port == null) {
            return null;
        }
        boolean named = port.getName() != null && !port.getName().isEmpty();
        Integer number = port.getNumber();
        boolean numbered = number != null && number != 0;
        if (named == numbered) {
            return null;
        }
        if (named) {
            return PortRef.named(port.getName());
        }
        return number >= 1 && number <= 65535 ? PortRef.number(number) : null;
    }

    private static List<TlsEntry> tls(List<IngressTLS> specTls, String source, Problems problems) {
        List<TlsEntry> entries = new ArrayList<>();
        if (specTls == null) {
            return entries;
        }
        for (int t = 0; t < specTls.size(); t++) {
            IngressTLS entry = specTls.get(t);
            List<String> hosts = new ArrayList<>();
            for (String raw : entry.getHosts() == null ? List.<String>of() : entry.getHosts()) {
                String host = HostNames.normalize(raw);
                if (host == null) {
                    problems.add(
                            source,
                            "spec.tls[" + t + "]: invalid host " + Problems.quote(String.valueOf(raw)) + "; skipped");
                } else {
                    hosts.add(host);
                }
            }
            String secret = entry.getSecretName();
            if (secret != null && secret.contains("/")) {
                problems.add(
                        source,
                        "spec.tls[" + t + "]: Secret '" + secret
                                + "' is outside the Ingress's namespace; its hosts get the default certificate");
                secret = null;
            }
            entries.add(new TlsEntry(List.copyOf(hosts), secret == null || secret.isEmpty() ? null : secret));
        }
        return entries;
    }

    private static RouteOptions options(
            Map<String, String> annotations, Set<String> tlsHosts, String source, Problems problems) {
        Map<String, String> a = annotations == null ? Map.of() : annotations;
        NginxSnippetHeaders.Parsed snippet = NginxSnippetHeaders.read(a);
        String rewrite = a.get(REWRITE_TARGET);
        if (rewrite != null && !rewrite.isEmpty()) {
            String invalid =
                    rewrite.startsWith("/") ? RulePaths.rewriteProblem(rewrite) : "must be empty or start with '/'";
            if (invalid != null) {
                problems.add(
                        source,
                        REWRITE_TARGET + ": " + Problems.quote(rewrite) + " " + invalid
                                + "; paths are forwarded unchanged");
                rewrite = null;
            }
        }
        // ingress-nginx's ssl-redirect has the same meaning (redirect the spec.tls hosts unless "false"); Usher's own
        // key wins when both are set. A bad nginx value is reported by the annotation audit, not here.
        Boolean nginxRedirect = Annotations.nginxFlag(a, "ssl-redirect", "true", "false");
        boolean sslRedirect = nginxRedirect == null || nginxRedirect;
        String redirect = a.get(SSL_REDIRECT);
        if ("false".equalsIgnoreCase(redirect)) {
            sslRedirect = false;
        } else if ("true".equalsIgnoreCase(redirect)) {
            sslRedirect = true;
        } else if (redirect != null && !"true".equalsIgnoreCase(redirect)) {
            problems.add(
                    source,
                    SSL_REDIRECT + ": expected \"true\" or \"false\", got '" + redirect + "'; redirect stays on");
        }
        return RouteOptions.builder()
                .rewriteTarget(rewrite)
                .tlsHosts(tlsHosts)
                .sslRedirect(sslRedirect)
                .requestBuffering(requestBuffering(a, source, problems))
                .nginxPaths(NginxRewrite.read(a))
                .maxRequestBodyBytes(NginxLimits.bodySize(a))
                .timeouts(NginxLimits.timeouts(a))
                .forceSslRedirect(NginxRedirects.forceSslRedirect(a))
                .redirect(redirect(snippet, a, source, problems))
                .appRoot(NginxRedirects.appRoot(a))
                .upstreamVhost(NginxUpstreamHeaders.upstreamVhost(a))
                .forwardedPrefix(NginxUpstreamHeaders.forwardedPrefix(a))
                .sourceRanges(NginxSourceRanges.ranges(a))
                .denied(denied(a))
                .retry(RetryAnnotations.parse(a)) // a bad value: reported by the audit
                .cors(NginxCors.read(a))
                .affinity(NginxAffinity.read(a))
                .rateLimit(NginxRateLimit.read(a)) // a bad value: reported by the audit
                .canary(NginxCanary.read(a))
                .sslPassthrough(NginxSslPassthrough.read(a)) // cleared without --enable-ssl-passthrough
                .externalAuth(NginxExternalAuth.read(a)) // a bad value fails closed: denied(a)
                .balancing(NginxBalancing.read(a)) // a bad value: reported by the audit
                .accessLog(!Boolean.FALSE.equals(Annotations.nginxFlag(a, NginxHonoured.ACCESS_LOG, "true", "false")))
                .fromToWwwRedirect(Boolean.TRUE.equals(Annotations.nginxFlag(a, NginxHonoured.WWW, "true", "false")))
                .customErrors(NginxCustomErrors.read(a)) // default-backend: NginxCustomErrors.apply (needs Services)
                .responseRewrites(NginxResponseRewrites.read(a)) // a bad value: reported by the audit
                .serverAliases(NginxServerAlias.read(a)) // bad names: reported by the audit
                .preserveTrailingSlash(
                        !Boolean.FALSE.equals(Annotations.nginxFlag(a, NginxHonoured.TRAILING_SLASH, "true", "false")))
                .mirror(NginxMirror.read(a)) // a bad value: reported by the audit
                .responseRate(NginxRateLimit.responseRate(a)) // a bad value: reported by the audit
                .satisfyAny(NginxHonoured.satisfyAny(a)) // a bad value: reported, "all"
                .headerEdits(snippet.edits()) // a snippet of anything but header directives: refused, reported
                .requestHeaderEdits(requestEdits(snippet, a, source, problems))
                .build();
    }

    /**
     * The snippet's edits of the origin's request: all of them, but a {@code Host} when {@code upstream-vhost} sets it
     * (ingress-nginx would send the origin two {@code Host} fields; Usher keeps the annotation's, reported).
     */
    private static List<HeaderEdit> requestEdits(
            NginxSnippetHeaders.Parsed snippet, Map<String, String> a, String source, Problems problems) {
        List<HeaderEdit> edits = snippet.requestEdits();
        if (NginxUpstreamHeaders.upstreamVhost(a) == null
                || edits.stream().noneMatch(e -> e.name().equals("host"))) {
            return edits;
        }
        problems.add(
                source,
                NginxSnippetHeaders.CONFIGURATION_SNIPPET
                        + ": proxy_set_header Host is not applied: upstream-vhost sets the origin's Host");
        return edits.stream().filter(e -> !e.name().equals("host")).toList();
    }

    /**
     * {@code permanent-redirect}/{@code temporal-redirect}, else the snippet's {@code return}; with both, the
     * annotation's, the snippet's reported (ingress-nginx writes the annotation's {@code return} first, and nginx
     * runs the first).
     */
    private static @Nullable LocalRedirect redirect(
            NginxSnippetHeaders.Parsed snippet, Map<String, String> a, String source, Problems problems) {
        LocalRedirect annotated = NginxRedirects.redirect(a);
        if (annotated != null && snippet.redirect() != null) {
            problems.add(
                    source,
                    NginxSnippetHeaders.CONFIGURATION_SNIPPET
                            + ": return is not applied: permanent-redirect or temporal-redirect answers first");
        }
        return annotated != null ? annotated : snippet.redirect();
    }

    /**
     * Why the Ingress's access control fails closed (503): its source ranges, else its external authentication, else
     * the access control of a snippet Usher refuses.
     */
    private static @Nullable String denied(Map<String, String> a) {
        String ranges = NginxSourceRanges.denied(a);
        String auth = ranges != null ? ranges : NginxExternalAuth.denied(a);
        return auth != null ? auth : NginxSnippetAccess.denied(a);
    }

    /**
     * {@code usher.dev/request-buffering}: "on"/"true" (the default) or "off"/"false", as nginx spells it; without it,
     * ingress-nginx's {@code proxy-request-buffering} "on"/"off".
     */
    private static boolean requestBuffering(Map<String, String> a, String source, Problems problems) {
        String value = a.get(REQUEST_BUFFERING);
        if (value == null) {
            Boolean nginx = Annotations.nginxFlag(a, "proxy-request-buffering", "on", "off");
            return nginx == null || nginx;
        }
        if ("on".equalsIgnoreCase(value) || "true".equalsIgnoreCase(value)) {
            return true;
        }
        if ("off".equalsIgnoreCase(value) || "false".equalsIgnoreCase(value)) {
            return false;
        }
        problems.add(
                source,
                REQUEST_BUFFERING + ": expected \"on\" or \"off\", got '" + value + "'; request bodies stay buffered");
        return true;
    }

    /** Manifests often carry no timestamp: those count as the epoch, so conflicts fall to namespace/name order. */
    private static Instant creationTimestamp(Ingress ingress, String source, Problems problems) {
        String text = ingress.getMetadata().getCreationTimestamp();
        if (text == null || text.isEmpty()) {
            return Instant.EPOCH;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            problems.add(source, "metadata.creationTimestamp '" + text + "' is not RFC 3339; taken as the epoch");
            return Instant.EPOCH;
        }
    }
}
