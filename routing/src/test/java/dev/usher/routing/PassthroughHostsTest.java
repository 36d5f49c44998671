package dev.usher.routing;

import static dev.usher.routing.Fixtures.host;
import static dev.usher.routing.Fixtures.ingress;
import static dev.usher.routing.Fixtures.prefix;
import static dev.usher.routing.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The {@code ssl-passthrough} hosts a snapshot carries, with ingress-nginx's rules: the host's winning {@code /} rule,
 * else its default backend; exact hosts only; a host any Ingress asks for; every host ignored is a conflict.
 */
final class PassthroughHostsTest {

    private static IngressRuleSet passthrough(IngressRuleSet r) {
        return new IngressRuleSet(
                r.namespace(),
                r.name(),
                r.creationTimestamp(),
                r.rules(),
                r.defaultBackend(),
                r.options().toBuilder().sslPassthrough(true).build());
    }

    @Test
    void theSlashRuleGivesTheBackend_andOtherPathsDoNot() {
        RoutingSnapshot s = snapshot(passthrough(ingress("vault")
                .rule(host("vault.test", prefix("/ui", "ui"), prefix("/", "vault")))
                .build()));

        Passthrough p = s.passthrough("vault.test");
        assertThat(p).isNotNull();
        assertThat(p.backend().ref()).isEqualTo(Fixtures.svc("vault"));
        assertThat(p.ingress()).isEqualTo(new ObjectRef("default", "vault"));
        assertThat(s.passthroughHosts()).containsOnlyKeys("vault.test");
        assertThat(s.conflicts()).isEmpty();
        // HTTP routing of the host is untouched
        assertThat(s.route("vault.test", "/ui/x").backend().ref()).isEqualTo(Fixtures.svc("ui"));
    }

    @Test
    void serverNames_matchWithoutCaseAndTrailingDot_andOnlyExactly() {
        RoutingSnapshot s = snapshot(passthrough(
                ingress("vault").rule(host("vault.test", prefix("/", "vault"))).build()));

        assertThat(s.passthrough("VAULT.Test.")).isNotNull();
        assertThat(s.passthrough("a.vault.test")).isNull();
        assertThat(s.passthrough("other.test")).isNull();
        assertThat(s.passthrough(null)).isNull();
    }

    @Test
    void withoutASlashRule_theDefaultBackendOfAnIngressOfTheHostServes() {
        RoutingSnapshot s = snapshot(passthrough(ingress("vault")
                .rule(host("vault.test", prefix("/api", "api")))
                .defaultBackend("vault")
                .build()));

        assertThat(s.passthrough("vault.test")).isNotNull();
        assertThat(s.passthrough("vault.test").backend().ref()).isEqualTo(Fixtures.svc("vault"));
    }

    @Test
    void withNeitherSlashNorDefaultBackend_passthroughIsIgnored_andReported() {
        RoutingSnapshot s = snapshot(passthrough(
                ingress("vault").rule(host("vault.test", prefix("/api", "api"))).build()));

        assertThat(s.passthroughHosts()).isEmpty();
        assertThat(s.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.host()).isEqualTo("vault.test");
            assertThat(c.loser()).isEqualTo("default/vault");
            assertThat(c.reason()).contains("needs a / path or a default backend");
        });
    }

    @Test
    void wildcardAndHostlessRules_neverPassThrough_andAreReported() {
        RoutingSnapshot s = snapshot(passthrough(ingress("wild")
                .rule(host("*.vault.test", prefix("/", "vault")))
                .rule(host(null, prefix("/", "vault")))
                .build()));

        assertThat(s.passthroughHosts()).isEmpty();
        assertThat(s.passthrough("a.vault.test")).isNull();
        assertThat(s.conflicts()).hasSize(2).allSatisfy(c -> assertThat(c.reason())
                .contains("exact server names only"));
    }

    @Test
    void anIngressAsking_cannotPassThroughAnotherIngresssSlashBackend() {
        IngressRuleSet owner = ingress("owner")
                .age(0)
                .rule(host("vault.test", prefix("/", "vault")))
                .build();
        IngressRuleSet asking = passthrough(ingress("asking")
                .age(10)
                .rule(host("vault.test", prefix("/extra", "extra")))
                .build());

        RoutingSnapshot s = snapshot(owner, asking);

        // ingress-nginx would pass it through to default/vault; Usher does not open another Ingress's backend
        assertThat(s.passthroughHosts()).isEmpty();
        assertThat(s.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.loser()).isEqualTo("default/asking");
            assertThat(c.reason()).contains("belongs to default/owner, which does not ask for it");
        });
    }

    @Test
    void whenTheAskingIngressOwnsSlash_theHostPassesThrough_andOtherIngressesRulesAreReported() {
        IngressRuleSet asking = passthrough(ingress("asking")
                .age(0)
                .rule(host("vault.test", prefix("/", "vault")))
                .build());
        IngressRuleSet other = ingress("other")
                .age(10)
                .rule(host("vault.test", prefix("/admin", "admin")))
                .build();

        RoutingSnapshot s = snapshot(asking, other);

        assertThat(s.passthrough("vault.test").backend().ref()).isEqualTo(Fixtures.svc("vault"));
        assertThat(s.passthrough("vault.test").ingress()).isEqualTo(new ObjectRef("default", "asking"));
        assertThat(s.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.winner()).isEqualTo("default/asking");
            assertThat(c.loser()).isEqualTo("default/other");
            assertThat(c.reason()).contains("get plain HTTP only");
        });
        assertThat(s.route("vault.test", "/admin").backend().ref()).isEqualTo(Fixtures.svc("admin"));
    }

    @Test
    void withoutTheOption_noHostPassesThrough() {
        RoutingSnapshot s = snapshot(
                ingress("vault").rule(host("vault.test", prefix("/", "vault"))).build());

        assertThat(s.passthroughHosts()).isEmpty();
        assertThat(s.passthrough("vault.test")).isNull();
    }
}
