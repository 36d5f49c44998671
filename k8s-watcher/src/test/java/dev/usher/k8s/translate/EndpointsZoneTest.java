package dev.usher.k8s.translate;

import static dev.usher.k8s.translate.Yaml.service;
import static dev.usher.k8s.translate.Yaml.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.Endpoint;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Topology-aware routing in {@link EndpointsIndex}: which ready endpoints Usher in a zone uses; one rule per case. */
final class EndpointsZoneTest {

    record Case(String name, String zone, List<String> endpoints, List<String> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static String endpoint(String address, String zone, String hintedFor, boolean ready) {
        return "{addresses: [" + address + "], zone: " + zone
                + (hintedFor == null ? "" : ", hints: {forZones: [{name: " + hintedFor + "}]}")
                + ", conditions: {ready: " + ready + "}}";
    }

    static Stream<Case> cases() {
        String a1 = endpoint("10.0.0.1", "zone-a", "zone-a", true);
        String a2 = endpoint("10.0.0.2", "zone-a", "zone-a", true);
        String b1 = endpoint("10.0.1.1", "zone-b", "zone-b", true);
        String a1NotReady = endpoint("10.0.0.1", "zone-a", "zone-a", false);
        String a2NotReady = endpoint("10.0.0.2", "zone-a", "zone-a", false);
        String b2HintedForA = endpoint("10.0.1.2", "zone-b", "zone-a", true);
        String a1NoHints = endpoint("10.0.0.1", "zone-a", null, true);
        String b1NoHints = endpoint("10.0.1.1", "zone-b", null, true);
        return Stream.of(
                new Case(
                        "hintsForOurZone_onlyThoseEndpointsAreUsed",
                        "zone-a",
                        List.of(a1, a2, b1),
                        List.of("10.0.0.1", "10.0.0.2")),
                new Case(
                        "hintsForAnotherZone_onlyThatZonesEndpointsAreUsedThere",
                        "zone-b",
                        List.of(a1, a2, b1),
                        List.of("10.0.1.1")),
                new Case(
                        "hintIsWhatCounts_notTheEndpointsOwnZone",
                        "zone-a",
                        List.of(a1, b1, b2HintedForA),
                        List.of("10.0.0.1", "10.0.1.2")),
                new Case(
                        "noEndpointHintedForOurZone_allReadyEndpointsAreUsed",
                        "zone-c",
                        List.of(a1, b1),
                        List.of("10.0.0.1", "10.0.1.1")),
                new Case(
                        "noHintsAtAll_allReadyEndpointsAreUsed",
                        "zone-a",
                        List.of(a1NoHints, b1NoHints),
                        List.of("10.0.0.1", "10.0.1.1")),
                new Case(
                        "someEndpointWithoutHints_hintsAreIgnored_asKubeProxyDoes",
                        "zone-a",
                        List.of(a1, b1NoHints),
                        List.of("10.0.0.1", "10.0.1.1")),
                new Case(
                        "mixedReadiness_onlyTheReadyEndpointOfOurZoneIsUsed",
                        "zone-a",
                        List.of(a1NotReady, a2, b1),
                        List.of("10.0.0.2")),
                new Case(
                        "noReadyEndpointInOurZone_fallsBackToAllReadyEndpoints",
                        "zone-a",
                        List.of(a1NotReady, a2NotReady, b1),
                        List.of("10.0.1.1")),
                new Case("zoneUnknown_hintsAreIgnored", null, List.of(a1, b1), List.of("10.0.0.1", "10.0.1.1")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ready(Case c) {
        KubeObjects objects = Yaml.kube(
                service("alpaca", "http", 8080, 9376),
                slice("alpaca-1", "alpaca", "http", 9376, c.endpoints().toArray(String[]::new)));

        List<Endpoint> ready = new EndpointsIndex(objects, c.zone()).ready("default", "alpaca", "http");

        assertThat(ready).extracting(Endpoint::address).containsExactlyElementsOf(c.expected());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void endpointsCarryTheirSlicesZone(Case c) {
        KubeObjects objects = Yaml.kube(
                service("alpaca", "http", 8080, 9376),
                slice("alpaca-1", "alpaca", "http", 9376, c.endpoints().toArray(String[]::new)));

        for (Endpoint endpoint : new EndpointsIndex(objects, c.zone()).ready("default", "alpaca", "http")) {
            assertThat(endpoint.zone()).isEqualTo(endpoint.address().startsWith("10.0.0.") ? "zone-a" : "zone-b");
        }
    }
}
