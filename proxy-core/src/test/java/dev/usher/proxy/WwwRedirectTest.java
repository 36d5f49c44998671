package dev.usher.proxy;

import static dev.usher.proxy.OptionsFixture.ingress;
import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.RouteOptions;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's {@code from-to-www-redirect} on real sockets: {@code www.} and bare names redirect to the Ingress's
 * host with the port, path and query kept, before any route (a wildcard would otherwise take them); a name another
 * Ingress serves itself is served, not redirected.
 */
final class WwwRedirectTest {

    private OptionsFixture fixture;

    @BeforeEach
    void start() {
        RouteOptions www = RouteOptions.builder().fromToWwwRedirect(true).build();
        fixture = new OptionsFixture(
                ProxySettings.defaults(),
                List.of(
                        ingress("bare", "example.test", www),
                        ingress("prefixed", "www.other.test", www),
                        ingress("taken", "shop.test", www),
                        ingress("www-shop", "www.shop.test", RouteOptions.DEFAULT), // served itself: no redirect
                        ingress("wild", "*.example.test", RouteOptions.DEFAULT)));
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void wwwAndBareNames_redirectToTheIngressHost_keepingPortPathAndQuery() throws Exception {
        HttpResponse<String> toBare = fixture.get("WWW.Example.test:8080", "/a/b?x=1&y=2");
        assertThat(toBare.statusCode()).isEqualTo(308);
        assertThat(toBare.headers().firstValue("Location")).hasValue("http://example.test:8080/a/b?x=1&y=2");

        HttpResponse<String> toWww = fixture.get("other.test", "/");
        assertThat(toWww.statusCode()).isEqualTo(308);
        assertThat(toWww.headers().firstValue("Location")).hasValue("http://www.other.test/");
        assertThat(fixture.origin.requests.get()).isZero();
    }

    @Test
    void theIngressHostItself_andANameAnotherIngressServes_areServed() throws Exception {
        assertThat(fixture.get("example.test", "/echo").statusCode()).isEqualTo(200);
        assertThat(fixture.get("www.shop.test", "/echo").statusCode()).isEqualTo(200);
        assertThat(fixture.get("api.example.test", "/echo").statusCode()).isEqualTo(200); // the wildcard, no redirect
        assertThat(fixture.origin.requests.get()).isEqualTo(3);
    }
}
