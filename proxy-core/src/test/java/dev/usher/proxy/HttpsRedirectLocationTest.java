package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Where the plaintext listener sends a request for a TLS host: the HTTPS port is named only when the client named a
 * port itself (it reaches the listeners directly) and ours is not 443; a client on the standard port 80 stands behind
 * a port mapping (a Service 80 to 8080, 443 to 8443) whose HTTPS side is 443.
 */
final class HttpsRedirectLocationTest {

    @ParameterizedTest(name = "Host {0}, https port {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            a.example.com         | 8443  | https://a.example.com/p?q=1
            a.example.com:80      | 8443  | https://a.example.com/p?q=1
            a.example.com:8080    | 8443  | https://a.example.com:8443/p?q=1
            a.example.com:8080    | 443   | https://a.example.com/p?q=1
            a.example.com:8080    | -1    | https://a.example.com/p?q=1
            127.0.0.1:41234       | 41235 | https://127.0.0.1:41235/p?q=1
            [::1]:8080            | 8443  | https://[::1]:8443/p?q=1
            [::1]                 | 8443  | https://[::1]/p?q=1
            """)
    void httpsLocation_namesTheHttpsPort_onlyWhenTheClientNamedANonStandardPort(
            String host, int httpsPort, String location) {
        assertThat(Requests.httpsLocation(host, "/p?q=1", httpsPort)).isEqualTo(location);
    }

    @org.junit.jupiter.api.Test
    void httpsLocation_neverReflectsAnInvalidHost() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> Requests.httpsLocation("a:junk@evil", "/p", 8443));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> Requests.httpsLocation("[x]evil", "/p", 8443));
    }
}
