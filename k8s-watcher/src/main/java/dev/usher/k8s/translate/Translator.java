package dev.usher.k8s.translate;

import dev.usher.k8s.translate.BackendResolver.Resolution;
import dev.usher.k8s.translate.IngressConverter.Converted;
import dev.usher.routing.BackendRef;
import dev.usher.routing.CustomErrors;
import dev.usher.routing.Endpoint;
import dev.usher.routing.HostRule;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.ObjectRef;
import dev.usher.routing.PathRule;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.ServerAliases;
import dev.usher.tls.TlsCertificate;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The pure step of docs/architecture.md: Kubernetes objects and settings in, a {@link Translation} out; never throws.
 *
 * <p>Ordered steps, each reporting and skipping bad input: (1) class selection, (2) per-Ingress validation and
 * conversion, (3) backend resolution to ready endpoints, (4) TLS Secrets to certificates by host. One broken object
 * never empties the table: only its bad pieces are skipped, and every skip is a {@link Problem}.
 */
public final class Translator {

    /** The oldest Ingress first (then by namespace/name): the one whose per-host settings win, as in ingress-nginx. */
    static final Comparator<Converted> OLDEST_FIRST = Comparator.comparing(
                    (Converted c) -> c.ruleSet().creationTimestamp())
            .thenComparing(c -> c.ruleSet().id());

    private Translator() {}

    /** Translates {@code objects} from scratch (a one-off: {@code usher check}, tests). */
    public static Translation translate(KubeObjects objects, WatcherSettings settings) {
        return translate(objects, settings, new ConversionMemo());
    }

    /**
     * Translates {@code objects}, converting again only the Ingresses {@code memo} has not seen in the last
     * translation (a source that translates on every change keeps one memo).
     */
    public static Translation translate(KubeObjects objects, WatcherSettings settings, ConversionMemo memo) {
        Objects.requireNonNull(objects, "objects");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(memo, "memo");
        Problems problems = new Problems();
        List<Converted> converted = selectAndConvert(objects, settings, memo, problems);
        memo.finish();
        List<Converted> checked = CanaryCheck.apply(RegexPathCheck.apply(converted, problems), problems);
        NginxAuthTls.Hosts clientAuth = NginxAuthTls.byHost(checked, problems); // per host, as ingress-nginx
        List<Converted> ours = NginxSnippetAccess.closeHosts(clientAuth.ingresses(), objects, problems);

        Map<BackendRef, Set<String>> referrers = new LinkedHashMap<>();
        for (Converted c : ours) {
            backends(c.ruleSet()).forEach(ref -> referrers
                    .computeIfAbsent(ref, r -> new LinkedHashSet<>())
                    .add("Ingress " + c.ruleSet().id()));
        }
        if (settings.defaultBackend() != null) {
            referrers
                    .computeIfAbsent(settings.defaultBackend(), r -> new LinkedHashSet<>())
                    .add("--default-backend");
        }
        Map<BackendRef, List<Endpoint>> endpoints = resolveBackends(objects, settings, referrers, problems);

        List<Converted> oldestFirst = new ArrayList<>(ours);
        oldestFirst.sort(OLDEST_FIRST);
        Map<String, TlsCertificate> certificates;
        try {
            certificates = new TlsResolver(objects).resolve(oldestFirst, problems);
        } catch (RuntimeException e) {
            problems.add("TLS", "certificates skipped after an unexpected error: " + e);
            certificates = Map.of();
        }
        TlsCertificate defaultCertificate = null;
        if (settings.defaultSslCertificate() != null) {
            defaultCertificate = new TlsResolver(objects).resolveDefault(settings.defaultSslCertificate(), problems);
        }
        List<IngressRuleSet> ruleSets = ours.stream().map(Converted::ruleSet).toList();
        Map<String, List<X509Certificate>> clientCas = clientAuth.clientCas();
        Map<String, List<String>> serverCiphers = NginxSslCiphers.byHost(oldestFirst, objects, problems);
        Map<String, String> aliases = ServerAliases.of(ruleSets);
        if (!aliases.isEmpty()) {
            certificates = aliasCertificates(certificates, aliases);
            clientCas = aliasClientCas(clientCas, aliases);
            serverCiphers = aliasCopies(serverCiphers, aliases);
        }
        return new Translation(
                ruleSets,
                endpoints,
                certificates,
                settings.defaultBackend(),
                problems.list(),
                defaultCertificate,
                clientCas,
                serverCiphers);
    }

    /** An alias's handshakes offer its host's {@code ssl-ciphers}: nginx sets them per server block. */
    private static <T> Map<String, T> aliasCopies(Map<String, T> byHost, Map<String, String> aliases) {
        if (byHost.isEmpty()) {
            return byHost;
        }
        Map<String, T> all = new LinkedHashMap<>(byHost);
        aliases.forEach((alias, host) -> {
            T value = byHost.get(host);
            if (value != null) {
                all.putIfAbsent(alias, value);
            }
        });
        return all;
    }

    /**
     * ingress-nginx's {@code server-alias} on the TLS side: an alias gets its host's certificate when that certificate
     * names it (else the default certificate, as ingress-nginx), unless it has one of its own.
     */
    private static Map<String, TlsCertificate> aliasCertificates(
            Map<String, TlsCertificate> certificates, Map<String, String> aliases) {
        Map<String, TlsCertificate> all = new LinkedHashMap<>(certificates);
        aliases.forEach((alias, host) -> {
            TlsCertificate certificate = certificates.get(host);
            if (certificate != null && TlsResolver.covers(certificate, alias)) {
                all.putIfAbsent(alias, certificate);
            }
        });
        return all;
    }

    /** An alias's handshakes ask for a client certificate as its host's do: nginx verifies per server block. */
    private static Map<String, List<X509Certificate>> aliasClientCas(
            Map<String, List<X509Certificate>> clientCas, Map<String, String> aliases) {
        if (clientCas.isEmpty()) {
            return clientCas;
        }
        Map<String, List<X509Certificate>> all = new LinkedHashMap<>(clientCas);
        aliases.forEach((alias, host) -> {
            List<X509Certificate> cas = clientCas.get(host);
            if (cas != null) {
                all.putIfAbsent(alias, cas);
            }
        });
        return all;
    }

    /**
     * The ready endpoints of {@code backends} alone, for a change that touched only EndpointSlices: routes are not
     * rebuilt. A backend that cannot be resolved gets an empty list (its problem is reported by the next rebuild).
     */
    public static Map<BackendRef, List<Endpoint>> endpoints(KubeObjects objects, Collection<BackendRef> backends) {
        return endpoints(objects, backends, WatcherSettings.defaults());
    }

    /**
     * As {@link #endpoints(KubeObjects, Collection)}, preferring endpoints hinted for the settings' zone and
     * resolving ExternalName Services only if they allow them.
     */
    public static Map<BackendRef, List<Endpoint>> endpoints(
            KubeObjects objects, Collection<BackendRef> backends, WatcherSettings settings) {
        Objects.requireNonNull(objects, "objects");
        Objects.requireNonNull(backends, "backends");
        BackendResolver resolver = new BackendResolver(objects, settings.zone(), settings.externalNameServices());
        Map<BackendRef, List<Endpoint>> endpoints = new LinkedHashMap<>();
        for (BackendRef ref : backends) {
            try {
                endpoints.put(ref, resolver.resolve(ref).endpoints());
            } catch (RuntimeException e) {
                endpoints.put(ref, List.of());
            }
        }
        return endpoints;
    }

    /**
     * The problems {@code object} has on its own, before any other object is looked at: what a manifests file must be
     * free of to replace its last good version. Empty for kinds without such rules.
     */
    public static List<Problem> validate(HasMetadata object) {
        Objects.requireNonNull(object, "object");
        Problems problems = new Problems();
        try {
            Ingress ingress = object instanceof Ingress i
                    ? i
                    : LegacyIngressConverter.isLegacyIngress(object) ? LegacyIngressConverter.toV1(object) : null;
            if (ingress != null) {
                IngressConverter.convert(ingress, problems);
            }
        } catch (RuntimeException e) {
            problems.add(object.getKind() + " " + KubeObjects.key(object), e.getMessage());
        }
        return problems.list();
    }

    /** {@code namespace/name} of the CA Secret {@code ingress} names for TLS to its origins, if any. */
    public static Set<String> caSecrets(Ingress ingress) {
        return OriginProtocols.caSecrets(Objects.requireNonNull(ingress, "ingress"));
    }

    /** {@code namespace/name} of the CA Secret of {@code ingress}'s client-certificate authentication, or null. */
    public static String clientCaSecret(Ingress ingress) {
        return NginxAuthTls.secretKey(
                KubeObjects.namespace(ingress), ingress.getMetadata().getAnnotations());
    }

    /**
     * The ConfigMaps ({@code custom-headers}, and {@code auth-proxy-set-headers} with {@code auth-url}) that the
     * Ingresses of ours among {@code objects} read: what the cluster source watches, and {@code usher check} fetches.
     * Only a ConfigMap of the Ingress's own namespace counts.
     */
    public static Set<ObjectRef> configMaps(KubeObjects objects, WatcherSettings settings) {
        Objects.requireNonNull(objects, "objects");
        Objects.requireNonNull(settings, "settings");
        ClassFilter filter = new ClassFilter(objects, settings);
        Set<ObjectRef> refs = new TreeSet<>();
        for (Ingress ingress : objects.ingresses()) {
            Set<ObjectRef> named = configMapsNamed(
                    KubeObjects.namespace(ingress), ingress.getMetadata().getAnnotations());
            if (!named.isEmpty() && filter.isOurs(ingress)) {
                refs.addAll(named);
            }
        }
        return refs;
    }

    /**
     * The ConfigMaps an Ingress in {@code namespace} with {@code annotations} would read, whatever its class: those
     * its {@code custom-headers} and (with {@code auth-url}) {@code auth-proxy-set-headers} name in its own namespace.
     */
    public static Set<ObjectRef> configMapsNamed(String namespace, @Nullable Map<String, String> annotations) {
        Set<ObjectRef> refs = new TreeSet<>();
        ObjectRef headers = NginxCustomHeaders.configMap(namespace, annotations);
        if (headers != null) {
            refs.add(headers);
        }
        ObjectRef auth = NginxAuthProxySetHeaders.configMap(namespace, annotations);
        if (auth != null) {
            refs.add(auth);
        }
        return refs;
    }

    /** Whether an Ingress is served by this controller, and why (for {@code usher check}). */
    public record Served(String ingress, boolean served, String reason) {}

    /** Class selection alone, for every Ingress in {@code objects}, in {@code namespace/name} order. */
    public static List<Served> selection(KubeObjects objects, WatcherSettings settings) {
        Objects.requireNonNull(objects, "objects");
        Objects.requireNonNull(settings, "settings");
        ClassFilter filter = new ClassFilter(objects, settings);
        return objects.ingresses().stream()
                .map(ingress -> {
                    ClassFilter.Selection s = filter.select(ingress);
                    return new Served(KubeObjects.key(ingress), s.ours(), s.reason());
                })
                .sorted(Comparator.comparing(Served::ingress))
                .toList();
    }

    /** The annotations of every Ingress in {@code objects}, by {@code namespace/name}. */
    public static Map<String, Map<String, String>> annotations(KubeObjects objects) {
        Map<String, Map<String, String>> all = new LinkedHashMap<>();
        for (Ingress ingress : objects.ingresses()) {
            Map<String, String> a = ingress.getMetadata().getAnnotations();
            all.put(KubeObjects.key(ingress), a == null ? Map.of() : a);
        }
        return all;
    }

    private static List<Converted> selectAndConvert(
            KubeObjects objects, WatcherSettings settings, ConversionMemo memo, Problems problems) {
        ClassFilter filter = new ClassFilter(objects, settings);
        OriginProtocols origins = new OriginProtocols(objects);
        List<Converted> ours = new ArrayList<>();
        for (Ingress ingress : objects.ingresses()) {
            try {
                if (filter.isOurs(ingress)) {
                    Converted converted = withBasicAuth(
                            origins.apply(ingress, memo.convert(ingress, settings, problems), problems),
                            ingress,
                            objects,
                            settings,
                            problems);
                    ours.add(NginxSslPassthrough.apply(
                            converted,
                            annotations(ingress),
                            settings.sslPassthrough(),
                            IngressConverter.source(ingress),
                            problems));
                    memo.reportAnnotations(ingress, problems);
                }
            } catch (RuntimeException e) {
                problems.add(IngressConverter.source(ingress), "skipped after an unexpected error: " + e);
            }
        }
        return ours;
    }

    /**
     * What needs other objects than the Ingress, which only the whole object set has: Basic auth's Secret
     * ({@link NginxBasicAuth}), the client CA ({@link NginxAuthTls}), custom-headers' ConfigMap
     * ({@link NginxCustomHeaders}), auth-proxy-set-headers' ConfigMap ({@link NginxAuthProxySetHeaders}),
     * default-backend's Service ({@link NginxCustomErrors}).
     */
    private static Converted withBasicAuth(
            Converted converted, Ingress ingress, KubeObjects objects, WatcherSettings settings, Problems problems) {
        IngressRuleSet r = converted.ruleSet();
        Map<String, String> a = ingress.getMetadata().getAnnotations();
        RouteOptions options = NginxBasicAuth.apply(
                r.options(),
                r.namespace(),
                a == null ? Map.of() : a,
                objects,
                IngressConverter.source(ingress),
                problems);
        // client certificates (auth-tls-secret) need their CA Secret too
        options = NginxAuthTls.apply(
                options, r.namespace(), a == null ? Map.of() : a, objects, IngressConverter.source(ingress), problems);
        // custom-headers names a ConfigMap of response fields (and needs --global-allowed-response-headers)
        options = NginxCustomHeaders.apply(
                options,
                r.namespace(),
                a == null ? Map.of() : a,
                objects,
                settings.allowedResponseHeaders(),
                IngressConverter.source(ingress),
                problems);
        // auth-proxy-set-headers names a ConfigMap of fields for the auth-url request
        options = NginxAuthProxySetHeaders.apply(
                options, r.namespace(), a == null ? Map.of() : a, objects, IngressConverter.source(ingress), problems);
        // ingress-nginx's default-backend names a Service: its first port
        options = NginxCustomErrors.apply(
                options, r.namespace(), a == null ? Map.of() : a, objects, IngressConverter.source(ingress), problems);
        return options == r.options() ? converted : converted.withOptions(options);
    }

    /**
     * Every annotation of an Ingress we serve whose intent is lost (unknown, unsupported, refused, invalid) is a
     * problem; the rest of the Ingress serves. Not part of {@link #validate}: a manifests file is not rejected for an
     * ingress-nginx annotation Usher does not implement.
     */
    static void reportAnnotations(Ingress ingress, WatcherSettings settings, Problems problems) {
        Map<String, String> annotations = annotations(ingress);
        NginxCanary.report(annotations, IngressConverter.source(ingress), problems);
        for (Annotations.Verdict v : Annotations.audit(annotations, settings)) {
            if (v.status().dropped()) {
                problems.add(
                        IngressConverter.source(ingress),
                        "annotation " + v.key() + ": " + v.status().label() + ": " + v.reason(),
                        v.status().problemReason());
            }
        }
    }

    private static Map<String, String> annotations(Ingress ingress) {
        Map<String, String> a = ingress.getMetadata().getAnnotations();
        return a == null ? Map.of() : a;
    }

    private static Map<BackendRef, List<Endpoint>> resolveBackends(
            KubeObjects objects, WatcherSettings settings, Map<BackendRef, Set<String>> referrers, Problems problems) {
        BackendResolver resolver = new BackendResolver(objects, settings.zone(), settings.externalNameServices());
        Map<BackendRef, List<Endpoint>> endpoints = new LinkedHashMap<>();
        referrers.forEach((ref, sources) -> {
            Resolution resolution;
            try {
                resolution = resolver.resolve(ref);
            } catch (RuntimeException e) {
                resolution = new Resolution(List.of(), "backend " + ref + " skipped after an unexpected error: " + e);
            }
            endpoints.put(ref, resolution.endpoints());
            if (resolution.problem() != null) {
                String message = resolution.problem();
                sources.forEach(source -> problems.add(source, message));
            }
        });
        return endpoints;
    }

    /**
     * The backends {@code ruleSet} routes to, its default backend first, with repeats, then its error backend
     * (ingress-nginx's {@code default-backend} annotation).
     */
    static List<BackendRef> backends(IngressRuleSet ruleSet) {
        List<BackendRef> refs = new ArrayList<>();
        if (ruleSet.defaultBackend() != null) {
            refs.add(ruleSet.defaultBackend());
        }
        for (HostRule rule : ruleSet.rules()) {
            for (PathRule path : rule.paths()) {
                refs.add(path.backend());
            }
        }
        CustomErrors errors = ruleSet.options().customErrors();
        if (errors != null && errors.backend() != null) {
            refs.add(errors.backend());
        }
        return refs;
    }
}
