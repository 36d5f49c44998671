package dev.usher.deploy.admin;

import dev.usher.k8s.translate.Problem;
import dev.usher.routing.Backend;
import dev.usher.routing.BackendRef;
import dev.usher.routing.Canary;
import dev.usher.routing.Candidate;
import dev.usher.routing.Conflict;
import dev.usher.routing.Endpoint;
import dev.usher.routing.Explanation;
import dev.usher.routing.Route;
import dev.usher.routing.RoutingSnapshot;
import dev.usher.tls.CertificateStore;
import dev.usher.tls.TlsCertificate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Renders the routing snapshot for {@code /debug/routes} and {@code /debug/explain} as JSON trees. */
final class RoutesJson {

    static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final String INGRESS_SOURCE = "Ingress ";

    private RoutesJson() {}

    static String write(ObjectNode node) {
        return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n";
    }

    /**
     * Every compiled route with its backend, endpoints and (with an HTTPS listener) the certificate its host gets;
     * the hosts served, the certificates, conflicts and problems.
     *
     * @param certificates the SNI store, or {@code null} when no HTTPS listener runs
     */
    static ObjectNode routes(
            RoutingSnapshot snapshot, List<Problem> problems, boolean ready, CertificateStore certificates) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("ready", ready);
        TreeSet<String> hosts = new TreeSet<>();
        ArrayNode routes = root.putArray("routes");
        for (Route route : snapshot.routes()) {
            ObjectNode node = route(route);
            if (certificates != null) {
                TlsCertificate certificate = certificates.certificateFor(route.host());
                node.set("tls", certificate(certificate, certificate == certificates.defaultCertificate()));
            }
            routes.add(node);
            if (route.host() != null) {
                hosts.add(route.host());
            }
        }
        root.set("certificates", certificates == null ? MAPPER.createArrayNode() : certificates(certificates));
        ArrayNode hostList = root.putArray("hosts");
        hosts.forEach(hostList::add);
        ArrayNode passthrough = root.putArray("passthrough"); // ssl-passthrough hosts: TLS spliced, not terminated
        new TreeMap<>(snapshot.passthroughHosts()).forEach((host, to) -> passthrough
                .addObject()
                .put("host", host)
                .put("backend", to.backend().ref().toString())
                .put("ingress", to.ingress().toString())
                .put("endpoints", to.backend().endpoints().size()));
        ArrayNode conflicts = root.putArray("conflicts");
        for (Conflict conflict : snapshot.conflicts()) {
            ObjectNode node = conflicts.addObject();
            node.put("host", conflict.host());
            node.put("path", conflict.path());
            node.put(
                    "pathType", conflict.type() == null ? null : conflict.type().name());
            node.put("winner", conflict.winner());
            node.put("loser", conflict.loser());
            node.put("reason", conflict.reason());
        }
        ArrayNode problemList = root.putArray("problems");
        for (Problem problem : problems) {
            ObjectNode node = problemList
                    .addObject()
                    .put("source", problem.source())
                    .put("message", problem.message())
                    .put("reason", problem.reason());
            // A translation problem names its object "Ingress ns/name": the page links it to that Ingress.
            if (problem.source().startsWith(INGRESS_SOURCE)) {
                node.put("ingress", problem.source().substring(INGRESS_SOURCE.length()));
            }
        }
        return root;
    }

    /** Which route wins for {@code host} and {@code uri}, which others matched and why they lost. */
    static ObjectNode explain(RoutingSnapshot snapshot, String host, String uri) {
        Explanation explanation = snapshot.explain(host, uri);
        ObjectNode root = MAPPER.createObjectNode();
        root.put("host", explanation.host());
        root.put("path", explanation.path());
        root.set("winner", route(explanation.winner()));
        root.put("upstreamUri", explanation.upstreamUri());
        ArrayNode losers = root.putArray("losers");
        for (Candidate candidate : explanation.losers()) {
            ObjectNode node = losers.addObject();
            node.set("route", route(candidate.route()));
            node.put("reason", candidate.reason());
        }
        return root;
    }

    /** Every certificate served, once each, with the hosts it is served for; the default one last. */
    private static ArrayNode certificates(CertificateStore store) {
        Map<String, TlsCertificate> byId = new TreeMap<>();
        Map<String, TreeSet<String>> hostsById = new TreeMap<>();
        store.certificates().forEach((host, certificate) -> {
            byId.putIfAbsent(certificate.id(), certificate);
            hostsById.computeIfAbsent(certificate.id(), id -> new TreeSet<>()).add(host);
        });
        ArrayNode list = MAPPER.createArrayNode();
        byId.forEach((id, certificate) -> {
            ObjectNode node = certificate(certificate, false);
            ArrayNode hosts = node.putArray("hosts");
            hostsById.get(id).forEach(hosts::add);
            list.add(node);
        });
        ObjectNode fallback = certificate(store.defaultCertificate(), true);
        fallback.putArray("hosts").add("*");
        list.add(fallback);
        return list;
    }

    private static ObjectNode certificate(TlsCertificate certificate, boolean isDefault) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("secret", certificate.id());
        node.put("default", isDefault);
        node.put("notAfter", certificate.notAfter().toString());
        ArrayNode names = node.putArray("dnsNames");
        certificate.dnsNames().forEach(names::add);
        return node;
    }

    static ObjectNode error(String message) {
        return MAPPER.createObjectNode().put("error", message);
    }

    private static ObjectNode route(Route route) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("source", route.source().name());
        node.put("host", route.host());
        node.put("path", route.path());
        node.put("pathType", route.pathType() == null ? null : route.pathType().name());
        node.put("regex", route.regex());
        node.put(
                "ingress",
                route.ingressRef() == null ? null : route.ingressRef().toString());
        node.put("namespace", route.namespace());
        node.put("httpsRedirect", route.httpsRedirect());
        Backend backend = route.backend();
        if (backend == null) {
            node.putNull("backend");
        } else {
            node.set("backend", backend(backend));
        }
        Canary canary = route.canary();
        if (canary != null) { // ingress-nginx's canary Ingress: its backend takes the requests its rule chooses
            ObjectNode alternative = node.putObject("canary");
            alternative.put("ingress", String.valueOf(canary.route().ingressRef()));
            alternative.put("rule", canary.rule().toString());
            alternative.set("backend", backend(canary.route().backend()));
        }
        return node;
    }

    private static ObjectNode backend(Backend backend) {
        BackendRef ref = backend.ref();
        ObjectNode node = MAPPER.createObjectNode();
        node.put("name", ref.toString());
        node.put("namespace", ref.namespace());
        node.put("service", ref.service());
        node.put("port", ref.port().toString());
        ArrayNode endpoints = node.putArray("endpoints");
        for (Endpoint endpoint : backend.endpoints()) {
            ObjectNode item = endpoints
                    .addObject()
                    .put("address", endpoint.address())
                    .put("port", endpoint.port())
                    .put("name", endpoint.name());
            if (endpoint.zone() != null) {
                item.put("zone", endpoint.zone());
            }
        }
        return node;
    }
}
