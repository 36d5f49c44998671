package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.ResponseRewrites;
import dev.usher.routing.ResponseRewrites.Rule;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** nginx's matching rules of {@link ResponseRewriting}, field by field; the end-to-end test is ResponseRewritesTest. */
final class ResponseRewritingTest {

    private static final Rule REDIRECT = new Rule("http://b/", "/app/");
    private static final Rule DOMAIN = new Rule("b.local", "example.com");
    private static final Rule PATH = new Rule("/one/", "/");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            nullValues = "KEPT",
            value = {
                "http://b/x?y=1 | /app/x?y=1",
                "http://b/ | /app/",
                "http://b | KEPT", // shorter than the prefix
                "https://b/x | KEPT",
                "HTTP://B/x | KEPT", // case-sensitive, as nginx's prefix match
                "/x | KEPT"
            })
    void location(String value, String expected) {
        assertThat(ResponseRewriting.prefixed(value, 0, REDIRECT)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            nullValues = "KEPT",
            value = {
                "5; url=http://b/x | 5; url=/app/x",
                "0;URL=http://b/ | 0;URL=/app/",
                "5; Url=http://b/x; url=http://b/y | 5; Url=/app/x; url=http://b/y", // the first url= only
                "5 | KEPT",
                "5; url = http://b/x | KEPT", // nginx looks for url= exactly (any case)
                "5; url=https://b/ | KEPT"
            })
    void refresh(String value, String expected) {
        assertThat(ResponseRewriting.refresh(value, REDIRECT)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            nullValues = "KEPT",
            value = {
                "a=1; Domain=b.local; Path=/one/x | a=1; Domain=example.com; Path=/x",
                "a=1; domain=.B.Local | a=1; domain=.example.com",
                "a=1; Domain=. | KEPT",
                "a=1; Domain= | KEPT",
                "a=1; Domain | KEPT", // no value: nginx leaves it
                "a=1; Path | KEPT",
                "a=1; Domains=b.local; Paths=/one/ | KEPT",
                "a=1; Domain=sub.b.local | KEPT", // the whole value, not a suffix
                "a=1 | KEPT",
                "a=1; | KEPT",
                "Path=/one/; Secure | KEPT", // the cookie's own name and value are never touched
                "a=Domain=b.local | KEPT",
                "flag; Path=/one/ | KEPT", // no name=value first
                "a=1;;Path=/one/;; | a=1;;Path=/;;",
                "a=1; Path=/one/; Path=/one/two | a=1; Path=/; Path=/two"
            })
    void setCookie(String value, String expected) {
        assertThat(ResponseRewriting.setCookie(value, DOMAIN, PATH)).isEqualTo(expected);
    }

    @Test
    void onlyTheConfiguredAttribute_changes() {
        assertThat(ResponseRewriting.setCookie("a=1; Domain=b.local; Path=/one/", DOMAIN, null))
                .isEqualTo("a=1; Domain=example.com; Path=/one/");
        assertThat(ResponseRewriting.setCookie("a=1; Domain=b.local; Path=/one/", null, PATH))
                .isEqualTo("a=1; Domain=b.local; Path=/");
    }

    @Test
    void everyValueOfARepeatedField_isRewrittenOnItsOwn_andOtherFieldsStay() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Location", "http://b/one")
                .add("Location", "http://c/two")
                .add("Set-Cookie", "a=1; Path=/one/a")
                .add("Set-Cookie", "b=2")
                .add("Set-Cookie", "c=3; Domain=B.LOCAL")
                .add("X-Other", "http://b/x; Path=/one/");

        ResponseRewriting.apply(headers, new ResponseRewrites(REDIRECT, DOMAIN, PATH));

        assertThat(headers.getAll("location")).containsExactly("/app/one", "http://c/two");
        assertThat(headers.getAll("set-cookie")).containsExactly("a=1; Path=/a", "b=2", "c=3; Domain=example.com");
        assertThat(headers.get("x-other")).isEqualTo("http://b/x; Path=/one/");
        assertThat(headers.contains("refresh")).isFalse();
    }
}
