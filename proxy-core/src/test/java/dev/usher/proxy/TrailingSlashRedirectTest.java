package dev.usher.proxy;

import static dev.usher.proxy.OptionsFixture.ingress;
import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.RouteOptions;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTPS redirect of a {@code spec.tls} host on real sockets: ingress-nginx's {@code preserve-trailing-slash:
 * "false"} drops the request URI's last byte when it is a {@code /}; Usher's default keeps it. A {@code server-alias}
 * of the host redirects too, to itself.
 */
final class TrailingSlashRedirectTest {

    private OptionsFixture fixture;

    /** As the translator builds an Ingress whose {@code spec.tls} names the host. */
    private static IngressRuleSet tlsIngress(String name, String host, RouteOptions options) {
        return ingress(name, host, options.toBuilder().tlsHosts(Set.of(host)).build());
    }

    @BeforeEach
    void start() {
        fixture = new OptionsFixture(
                ProxySettings.defaults(),
                List.of(
                        tlsIngress(
                                "nginx-default",
                                "strip.test",
                                RouteOptions.builder()
                                        .preserveTrailingSlash(false)
                                        .serverAliases(List.of("alias.test"))
                                        .build()),
                        tlsIngress("kept", "keep.test", RouteOptions.DEFAULT)));
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void preserveTrailingSlashFalse_dropsTheLastSlashOfTheRequestUri() throws Exception {
        assertThat(location("strip.test", "/a/b/")).isEqualTo("https://strip.test/a/b");
        assertThat(location("strip.test", "/")).isEqualTo("https://strip.test");
        assertThat(location("strip.test", "/a/?x=1")).isEqualTo("https://strip.test/a/?x=1"); // nginx: last byte only
        assertThat(location("strip.test", "/a")).isEqualTo("https://strip.test/a");
        assertThat(location("alias.test", "/a/")).isEqualTo("https://alias.test/a");
        assertThat(fixture.origin.requests.get()).isZero();
    }

    @Test
    void byDefault_theRedirectKeepsTheTargetAsSent() throws Exception {
        assertThat(location("keep.test", "/a/b/")).isEqualTo("https://keep.test/a/b/");
        assertThat(location("keep.test", "/")).isEqualTo("https://keep.test/");
    }

    private String location(String host, String target) throws Exception {
        HttpResponse<String> response = fixture.get(host, target);
        assertThat(response.statusCode()).as(host + target).isEqualTo(308);
        return response.headers().firstValue("Location").orElseThrow();
    }
}
