package dev.usher.k8s;

import dev.usher.k8s.translate.Annotations;
import dev.usher.k8s.translate.Annotations.Verdict;
import dev.usher.k8s.translate.KubeObjects;
import dev.usher.k8s.translate.Problem;
import dev.usher.k8s.translate.Translation;
import dev.usher.k8s.translate.Translator;
import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.routing.Canary;
import dev.usher.routing.Conflict;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.Route;
import dev.usher.routing.RoutingSnapshot;
import dev.usher.routing.RoutingTable;
import dev.usher.routing.ServerAliases;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What {@code usher run} would make of a set of objects, Ingress by Ingress, for {@code usher check}: the same
 * {@link Translator} and the same snapshot compiler, nothing published.
 *
 * @param ingresses every Ingress, served or not, in {@code namespace/name} order; an Ingress's problems leave out
 *     those of its annotations, which its verdicts carry
 * @param otherProblems problems not tied to one Ingress (files, Secrets, the flag default backend)
 * @param conflicts every rule that lost to an older one
 */
public record CheckReport(List<IngressEntry> ingresses, List<Problem> otherProblems, List<Conflict> conflicts) {

    /** One route the snapshot compiled; {@code host} {@code *} for host-less rules, {@code path} null for defaults. */
    public record RouteLine(String host, String path, String type, String backend) {}

    /**
     * One Ingress: whether this controller serves it (and why), its Usher and ingress-nginx annotations classified,
     * its problems, the conflicts it won or lost, and its routes.
     */
    public record IngressEntry(
            String ingress,
            boolean served,
            String reason,
            List<Verdict> annotations,
            List<String> problems,
            List<String> conflicts,
            List<RouteLine> routes) {

        /** Whether anything of this Ingress would be dropped or refused by {@code usher run}. */
        public boolean dropsAnything() {
            return served
                    && (!problems.isEmpty()
                            || conflicts.stream().anyMatch(c -> c.startsWith("lost"))
                            || annotations.stream().anyMatch(v -> v.status().dropped()));
        }
    }

    public CheckReport {
        ingresses = List.copyOf(ingresses);
        otherProblems = List.copyOf(otherProblems);
        conflicts = List.copyOf(conflicts);
    }

    /** Translates {@code objects} with {@code settings} and compiles the snapshot, as {@code usher run} does. */
    public static CheckReport of(KubeObjects objects, List<Problem> sourceProblems, WatcherSettings settings) {
        Objects.requireNonNull(objects, "objects");
        Objects.requireNonNull(settings, "settings");
        Translation translation = Translator.translate(objects, settings).withSourceProblems(sourceProblems);
        RoutingTable table = new RoutingTable();
        translation.endpoints().forEach(table::updateEndpoints);
        RoutingSnapshot.Builder builder = RoutingSnapshot.builder();
        translation.ruleSets().forEach(builder::add);
        RoutingSnapshot snapshot =
                builder.defaultBackend(translation.defaultBackend()).build(table::backend);

        Map<String, Map<String, String>> annotations = Translator.annotations(objects);
        Set<String> servedIds =
                translation.ruleSets().stream().map(IngressRuleSet::id).collect(Collectors.toSet());
        Map<String, List<String>> aliasesByHost = new TreeMap<>();
        ServerAliases.of(translation.ruleSets()).forEach((alias, host) -> aliasesByHost
                .computeIfAbsent(host, h -> new ArrayList<>())
                .add(alias));
        aliasesByHost.values().forEach(list -> list.sort(null));
        List<IngressEntry> entries = new ArrayList<>();
        for (Translator.Served s : Translator.selection(objects, settings)) {
            String id = s.ingress();
            String source = "Ingress " + id;
            List<Verdict> verdicts = Annotations.audit(annotations.get(id), settings);
            // the audit's problems are shown once, as the annotation's verdict, not again as problems; what a
            // step found beyond the value itself (a missing Secret or ConfigMap, a field not allowed) is a problem
            Set<String> audited = new HashSet<>();
            verdicts.forEach(
                    v -> audited.add("annotation " + v.key() + ": " + v.status().label() + ": " + v.reason()));
            List<String> problems = translation.problems().stream()
                    .filter(p -> p.source().equals(source))
                    .map(Problem::message)
                    .filter(m -> !audited.contains(m))
                    .toList();
            List<String> conflicts = new ArrayList<>();
            for (Conflict c : snapshot.conflicts()) {
                String rule = (c.host() == null ? "*" : c.host()) + " "
                        + (c.path() != null
                                ? c.path() + " " + c.type()
                                : c.reason().startsWith("server-alias") ? "(server-alias)" : "(default backend)");
                if (c.loser().equals(id)) {
                    conflicts.add("lost " + rule + " to " + c.winner() + ": " + c.reason());
                } else if (c.winner().equals(id)) {
                    conflicts.add("won " + rule + " over " + c.loser() + ": " + c.reason());
                }
            }
            List<RouteLine> routes = new ArrayList<>();
            for (Route r : snapshot.routes()) {
                if (r.ingressRef() != null && id.equals(r.ingressRef().toString())) {
                    RouteLine line = line(r);
                    routes.add(line);
                    // server-alias: the alias is routed as the host, so it shows each of the host's routes
                    for (String alias :
                            r.host() == null ? List.<String>of() : aliasesByHost.getOrDefault(r.host(), List.of())) {
                        routes.add(new RouteLine(
                                alias,
                                line.path(),
                                line.type(),
                                line.backend() + " (server-alias of " + r.host() + ")"));
                    }
                }
                Canary canary = r.canary(); // a canary Ingress's routes are its share of main routes
                if (canary != null && id.equals(String.valueOf(canary.route().ingressRef()))) {
                    routes.add(canaryLine(r, canary));
                }
            }
            entries.add(new IngressEntry(
                    id, s.served() && servedIds.contains(id), s.reason(), verdicts, problems, conflicts, routes));
        }
        Set<String> ingressSources =
                entries.stream().map(e -> "Ingress " + e.ingress()).collect(Collectors.toSet());
        List<Problem> other = translation.problems().stream()
                .filter(p -> !ingressSources.contains(p.source()))
                .toList();
        return new CheckReport(entries, other, snapshot.conflicts());
    }

    /** Whether {@code usher run} would drop or refuse anything: the exit status of {@code usher check}. */
    public boolean dropsAnything() {
        return !otherProblems.isEmpty()
                || !conflicts.isEmpty()
                || ingresses.stream().anyMatch(IngressEntry::dropsAnything);
    }

    private static RouteLine line(Route route) {
        return new RouteLine(
                route.host() == null ? "*" : route.host(),
                route.regex() != null ? route.regex() : route.path(),
                route.pathType() == null
                        ? route.source().name()
                        : route.pathType().name(),
                (route.backend() == null ? "none" : route.backend().ref().toString())
                        + (route.canary() == null
                                ? ""
                                : " (canary: " + route.canary().route().ingressRef() + ")"));
    }

    private static RouteLine canaryLine(Route main, Canary canary) {
        RouteLine line = line(canary.route());
        return new RouteLine(
                line.host(),
                line.path(),
                line.type(),
                canary.route().backend().ref() + " (canary of " + main.ingressRef() + " -> "
                        + main.backend().ref() + ": " + canary.rule() + ")");
    }
}
