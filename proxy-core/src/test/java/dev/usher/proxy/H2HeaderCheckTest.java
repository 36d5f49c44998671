package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pseudo-fields of a request head that cannot become an HTTP/1.1 request line are malformed. */
final class H2HeaderCheckTest {

    private static Http2Headers head(String method, String path) {
        return new DefaultHttp2Headers(false)
                .method(method)
                .scheme("http")
                .authority("app.test")
                .path(path);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "GET /x|/echo|invalid :method",
                "G(T|/echo|invalid :method",
                "GET\u00e9|/echo|invalid :method",
                "''|/echo|invalid :method",
                "GET|/echo HTTP/1.1|invalid :path",
                "GET|/a b|invalid :path",
            })
    void aMethodThatIsNoToken_orAPathWithASpace_isMalformed(String method, String path, String problem) {
        assertThat(H2HeaderCheck.problem(head(method, path))).isEqualTo(problem);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(
            delimiter = '|',
            value = {"GET|/echo?q=a%20b", "PROPFIND|/dav/", "M-SEARCH|*", "get|/x", "OPTIONS|*", "GET|/\u00ff"})
    void tokensAndUriCharacters_pass(String method, String path) {
        assertThat(H2HeaderCheck.problem(head(method, path))).isNull();
    }
}
