package dev.usher.k8s.translate;

import com.google.re2j.PatternSyntaxException;
import dev.usher.k8s.translate.IngressConverter.Converted;
import dev.usher.routing.BoundedRegex;
import dev.usher.routing.ClientCertificateAuth;
import dev.usher.routing.ClientCertificateAuth.Verify;
import dev.usher.routing.HostRule;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.RouteOptions;
import dev.usher.tls.CaCertificates;
import dev.usher.tls.CertificateProblem;
import io.fabric8.kubernetes.api.model.Secret;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * ingress-nginx's client-certificate authentication: {@code auth-tls-secret} ({@code namespace/name} or
 * {@code name}, the Ingress's own namespace only; {@code ca.crt}, optionally {@code ca.crl}),
 * {@code auth-tls-verify-client} ({@code on} by default, also when the value is not one of the four),
 * {@code auth-tls-verify-depth} (1 by default and for 0), {@code auth-tls-pass-certificate-to-upstream},
 * {@code auth-tls-error-page} and {@code auth-tls-match-cn}.
 *
 * <p>As in ingress-nginx it applies per host: the oldest Ingress with {@code auth-tls-secret} for a host sets it for
 * every Ingress serving that host, and the handshakes of that host ask for a client certificate. A Secret that is
 * missing, in another namespace or unreadable fails closed: the Ingress's paths answer 503, reported.
 */
final class NginxAuthTls {

    static final String SECRET = "auth-tls-secret";
    static final String VERIFY = "auth-tls-verify-client";
    static final String DEPTH = "auth-tls-verify-depth";
    static final String ERROR_PAGE = "auth-tls-error-page";
    static final String PASS = "auth-tls-pass-certificate-to-upstream";
    static final String MATCH_CN = "auth-tls-match-cn";

    /** ingress-nginx's check of the error page: a named location, or an optional URL base and a path. */
    private static final java.util.regex.Pattern ERROR_PAGE_FORM = java.util.regex.Pattern.compile(
            "^(@[A-Za-z0-9_-]+|((https?://)?[A-Za-z0-9\\-.]+(:\\d+)?)?(/[A-Za-z0-9\\-_.]+)*/?)$");

    /** The rule sets with host-level authentication applied, and the CAs each host's handshake asks for. */
    record Hosts(List<Converted> ingresses, Map<String, List<X509Certificate>> clientCas) {}

    /** A parsed {@code ca.crt} (and {@code ca.crl}), or why there is none. */
    private record Trust(List<X509Certificate> cas, List<X509CRL> crls, String id, String problem) {}

    private NginxAuthTls() {}

    /** The {@code namespace/name} of the Secret an Ingress's {@code auth-tls-secret} names, or {@code null}. */
    static String secretKey(String namespace, Map<String, String> annotations) {
        String raw = annotations == null ? null : annotations.get(Annotations.NGINX + SECRET);
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String name = raw.strip();
        return name.indexOf('/') < 0 ? namespace + "/" + name : name;
    }

    /** What is wrong with the value of {@code name} on its own (one of this class's keys), or {@code null}. */
    static String problem(String name, String value) {
        return switch (name) {
            case SECRET -> value.isBlank() ? "names no Secret" : null;
            case VERIFY ->
                Verify.of(value) != null ? null : "expected on, off, optional or optional_no_ca; \"on\" applies";
            case DEPTH -> depth(value) == null ? "expected a whole number from 1 to 100; 1 applies" : null;
            case ERROR_PAGE ->
                !ERROR_PAGE_FORM.matcher(value).matches()
                        ? "is not a URL or path; 400 applies"
                        : value.startsWith("http://") || value.startsWith("https://")
                                ? null
                                : "Usher redirects (302) to an absolute http(s) URL only, not to a path or named "
                                        + "location; 400 applies";
            case PASS -> "true".equals(value) || "false".equals(value) ? null : "expected \"true\" or \"false\"";
            case MATCH_CN ->
                matchCnProblem(value) == null ? null : matchCnProblem(value) + "; the Ingress fails closed (503)";
            default -> null;
        };
    }

    /**
     * {@code options} with the Ingress's client-certificate authentication, or denied (503) with the reason reported;
     * unchanged without {@code auth-tls-secret}.
     */
    static RouteOptions apply(
            RouteOptions options,
            String namespace,
            Map<String, String> a,
            KubeObjects objects,
            String source,
            Problems problems) {
        String key = secretKey(namespace, a);
        if (key == null) {
            return options;
        }
        Trust trust = read(key, namespace, objects);
        if (trust.problem() != null) {
            String reason = trust.problem() + "; the Ingress fails closed (503)";
            problems.add(source, "annotation " + Annotations.NGINX + SECRET + ": " + reason);
            return options.toBuilder()
                    .denied(options.denied() != null ? options.denied() : reason)
                    .build();
        }
        Verify verify =
                Verify.of(a.getOrDefault(Annotations.NGINX + VERIFY, "on").strip());
        Integer depth = depth(a.getOrDefault(Annotations.NGINX + DEPTH, "1").strip());
        String errorPage = a.get(Annotations.NGINX + ERROR_PAGE);
        errorPage = errorPage == null || problem(ERROR_PAGE, errorPage.strip()) != null ? null : errorPage.strip();
        String matchCn = a.get(Annotations.NGINX + MATCH_CN);
        if (matchCn != null && matchCnProblem(matchCn.strip()) != null) {
            String reason = "auth-tls-match-cn " + Problems.quote(matchCn) + " " + matchCnProblem(matchCn.strip())
                    + "; the Ingress fails closed (503)";
            problems.add(source, "annotation " + Annotations.NGINX + MATCH_CN + ": " + reason);
            return options.toBuilder()
                    .denied(options.denied() != null ? options.denied() : reason)
                    .build();
        }
        ClientCertificateAuth auth = new ClientCertificateAuth(
                verify == null ? Verify.ON : verify,
                trust.cas(),
                trust.crls(),
                trust.id(),
                depth == null ? 1 : depth,
                "true".equals(a.getOrDefault(Annotations.NGINX + PASS, "false").strip()),
                errorPage,
                matchCn == null || matchCn.isBlank() ? null : BoundedRegex.compile(matchCn.strip()));
        return options.toBuilder().clientCertificateAuth(auth).build();
    }

    /**
     * Applies authentication per host, as ingress-nginx does: each host takes the authentication of the oldest
     * Ingress that sets one for it, and every Ingress serving the host gets it. An Ingress whose hosts would need
     * different ones (one host authenticated by another Ingress, one not) fails closed, reported: Usher's options are
     * per Ingress.
     */
    static Hosts byHost(List<Converted> ingresses, Problems problems) {
        List<Converted> oldestFirst = new ArrayList<>(ingresses);
        oldestFirst.sort(Translator.OLDEST_FIRST);
        Map<String, ClientCertificateAuth> byHost = new LinkedHashMap<>();
        Map<String, String> owner = new HashMap<>();
        for (Converted c : oldestFirst) {
            ClientCertificateAuth auth = c.ruleSet().options().clientCertificateAuth();
            if (auth == null || c.ruleSet().options().canary() != null) {
                continue;
            }
            String source = "Ingress " + c.ruleSet().id();
            if (auth.requestsCertificate() && c.ruleSet().rules().stream().anyMatch(rule -> rule.host() == null)) {
                problems.add(
                        source,
                        "a rule without host gets client-certificate authentication but no handshake asks for a "
                                + "certificate (the TLS side is per host name)"
                                + (auth.verify() == Verify.ON ? ": its requests over HTTPS answer 400" : ""));
            }
            for (String host : hosts(c.ruleSet())) {
                ClientCertificateAuth first = byHost.putIfAbsent(host, auth);
                if (first == null) {
                    owner.put(host, source);
                } else if (!first.equals(auth)) {
                    problems.add(
                            source,
                            "host " + host + " takes its client-certificate authentication from older "
                                    + owner.get(host) + " (per host, as in ingress-nginx); this Ingress's auth-tls-* "
                                    + "apply to none of its requests for it");
                }
            }
        }
        if (byHost.isEmpty()) {
            return new Hosts(ingresses, Map.of());
        }
        List<Converted> applied = new ArrayList<>(ingresses.size());
        for (Converted c : ingresses) {
            applied.add(perHost(c, byHost, owner, problems));
        }
        Map<String, List<X509Certificate>> clientCas = new LinkedHashMap<>();
        byHost.forEach((host, auth) -> {
            if (auth.requestsCertificate()) {
                clientCas.put(host, auth.cas());
            }
        });
        return new Hosts(applied, clientCas);
    }

    private static Converted perHost(
            Converted c, Map<String, ClientCertificateAuth> byHost, Map<String, String> owner, Problems problems) {
        IngressRuleSet r = c.ruleSet();
        Set<String> hosts = hosts(r);
        Set<Optional<ClientCertificateAuth>> found = new LinkedHashSet<>();
        hosts.forEach(host -> found.add(Optional.ofNullable(byHost.get(host))));
        RouteOptions options = r.options();
        if (found.size() > 1) {
            String reason = "its hosts differ in client-certificate authentication ("
                    + String.join(
                            ", ",
                            hosts.stream()
                                    .map(h -> h + ": " + (byHost.containsKey(h) ? "from " + owner.get(h) : "none"))
                                    .toList())
                    + "); Usher applies it per Ingress, so this one fails closed (503): split it by host";
            problems.add("Ingress " + r.id(), reason);
            options = options.toBuilder()
                    .denied(options.denied() != null ? options.denied() : reason)
                    .build();
        } else if (found.size() == 1) {
            ClientCertificateAuth hostAuth = found.iterator().next().orElse(null);
            if (hostAuth != null && !hostAuth.equals(options.clientCertificateAuth())) {
                options = options.toBuilder().clientCertificateAuth(hostAuth).build();
            }
        }
        return options == r.options() ? c : c.withOptions(options);
    }

    /** The named hosts of a rule set's rules (a rule without host is no host's). */
    static Set<String> hosts(IngressRuleSet ruleSet) {
        Set<String> hosts = new LinkedHashSet<>();
        for (HostRule rule : ruleSet.rules()) {
            if (rule.host() != null) {
                hosts.add(rule.host());
            }
        }
        return hosts;
    }

    private static Trust read(String key, String namespace, KubeObjects objects) {
        int slash = key.indexOf('/');
        String ns = key.substring(0, slash);
        String name = key.substring(slash + 1);
        if (!ns.equals(namespace) || name.isEmpty() || name.indexOf('/') >= 0) {
            return new Trust(
                    null,
                    null,
                    null,
                    "Secret " + Problems.quote(key)
                            + " is outside the Ingress's namespace; an Ingress may only use Secrets in its own");
        }
        Secret secret = objects.secret(ns, name);
        if (secret == null) {
            return new Trust(null, null, null, "Secret " + key + " not found");
        }
        byte[] pem = TlsResolver.field(secret, CaCertificates.FIELD);
        if (pem == null) {
            return new Trust(null, null, null, "Secret " + key + " has no readable " + CaCertificates.FIELD);
        }
        try {
            List<X509Certificate> cas = CaCertificates.parse(pem);
            byte[] crlPem = TlsResolver.field(secret, CaCertificates.CRL_FIELD);
            List<X509CRL> crls = crlPem == null ? List.of() : CaCertificates.parseCrls(crlPem);
            return new Trust(cas, crls, CaCertificates.digest(cas, crls), null);
        } catch (CertificateProblem e) {
            return new Trust(null, null, null, "Secret " + key + ": " + e.getMessage());
        }
    }

    private static Integer depth(String value) {
        try {
            int depth = Integer.parseInt(value);
            if (depth == 0) {
                return 1; // 0 means the default, as in ingress-nginx
            }
            if (depth < 1 || depth > 100) {
                return null;
            }
            return depth;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String matchCnProblem(String value) {
        if (!value.startsWith("CN=")) {
            return "must start with \"CN=\"";
        }
        try {
            BoundedRegex.compile(value);
            return null;
        } catch (PatternSyntaxException e) {
            return "is not a regular expression RE2 accepts";
        }
    }
}
