package dev.usher.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link ExternalAuth#hostFromRequest}: which {@code auth-url}s let the request name the auth service. */
final class ExternalAuthHostTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "https://$host/oauth2/auth | true",
                "http://$best_http_host/auth | true",
                "$scheme://$host/auth | true",
                "http://auth-$remote_addr.example/ | true",
                "http://auth.example$escaped_request_uri | true",
                "http://auth.example:$server_port/auth | false",
                "http://auth.example/check/$host | false",
                "http://auth.example?host=$host | false",
                "http://auth.example#$host | false",
                "http://auth.example$request_uri | false",
                "http://$service_name.$namespace.svc/auth | false",
                "https://auth.example/oauth2/auth | false"
            })
    void theAuthorityDecides(String url, boolean fromRequest) {
        ExternalAuth auth = new ExternalAuth(NginxTemplate.parse(url), "GET", null, "rd", false, List.of(), null);
        assertThat(auth.hostFromRequest()).as(url).isEqualTo(fromRequest);
    }
}
