package dev.usher.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ingress-nginx's rewrite-target parsed once: captures, variables, and absolute URLs as nginx's redirects. */
final class NginxRewriteTargetTest {

    private static final Function<NginxTemplate.Variable, String> VALUES = Map.of(
            NginxTemplate.Variable.HOST, "app.example",
            NginxTemplate.Variable.SCHEME, "https",
            NginxTemplate.Variable.REQUEST_URI, "/api/a b?x=1",
            NginxTemplate.Variable.ESCAPED_REQUEST_URI, "%2Fapi",
            NginxTemplate.Variable.BEST_HTTP_HOST, "app.example:8443",
            NginxTemplate.Variable.SERVER_PORT, "8443",
            NginxTemplate.Variable.SERVICE_NAME, "svc",
            NginxTemplate.Variable.NAMESPACE, "ns",
            NginxTemplate.Variable.REMOTE_ADDR, "192.0.2.1")::get;

    private static Matcher match(String path) {
        Matcher m = Pattern.compile("^/api(/|$)(.*)", Pattern.CASE_INSENSITIVE).matcher(path);
        assertThat(m.find()).isTrue();
        return m;
    }

    /** The upstream path: captures as matched, variables encoded, a '?' from a variable never a query. */
    @ParameterizedTest(name = "{0} on {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            /$2                    | /api/x/y   | /x/y
            $2                     | /api/x     | /x
            /$host/$2              | /api/x     | /app.example/x
            /${namespace}-$service_name$1$2 | /api/x | /ns-svc/x
            /u$request_uri         | /api/x     | /u/api/a%20b%3Fx=1
            /$9$                   | /api       | /$
            """)
    void path_expandsCapturesAndVariables(String target, String path, String expected) {
        assertThat(NginxRewriteTarget.parse(target).path(match(path), VALUES)).isEqualTo(expected);
    }

    /** nginx's query rules for a redirect: appended after '?', after '&' with the target's own, dropped by a final '?'. */
    @ParameterizedTest(name = "{0} ? {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            https://new.example/$2               | a=1 | https://new.example/x?a=1
            https://new.example/$2               | ''   | https://new.example/x
            https://new.example/login?rd=$2      | a=1 | https://new.example/login?rd=x&a=1
            https://new.example/$2?              | a=1 | https://new.example/x
            $scheme://$host:$server_port/$2      | a=1 | https://app.example:8443/x?a=1
            http://$best_http_host$request_uri   | ''  | http://app.example:8443/api/a%20b?x=1
            http://$service_name.$namespace/$2   | ''  | http://svc.ns/x
            """)
    void location_expandsAndAppendsTheQueryAsNginx(String target, String query, String expected) {
        NginxRewriteTarget parsed = NginxRewriteTarget.parse(target);

        assertThat(parsed.redirect()).isTrue();
        assertThat(parsed.location(match("/api/x"), VALUES, query)).isEqualTo(expected);
    }

    @Test
    void location_encodesEveryCaptureByteThatCouldSplitAHeader() {
        Matcher m = match("/api/a\rSet-Cookie: x=\u00e9\u0000");

        assertThat(NginxRewriteTarget.parse("https://new.example/$2").location(m, VALUES, "q=\r\n"))
                .isEqualTo("https://new.example/a%0DSet-Cookie:%20x=%C3%A9%00?q=%0D%0A");
    }

    @Test
    void location_refusesAnExpandedHostThatIsNotAHost() {
        Function<NginxTemplate.Variable, String> evil = v -> v == NginxTemplate.Variable.HOST ? "evil@x" : "";

        assertThat(NginxRewriteTarget.parse("https://$host/").location(null, evil, ""))
                .isNull();
        assertThat(NginxRewriteTarget.parse("https://$host/").location(null, v -> "", ""))
                .isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            https://x.example$1/         | capture
            https://$1/                  | capture
            https://$remote_addr/        | $remote_addr
            https://$escaped_request_uri | $escaped_request_uri
            https://x@evil.example/      | host name or address
            /$http_x_user/$1             | unknown nginx variable
            https://${host/              | not closed
            """)
    void parse_refusesUnknownVariablesAndHostsTheRequestWouldChoose(String target, String reason) {
        assertThatThrownBy(() -> NginxRewriteTarget.parse(target))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void skeleton_replacesCapturesAndVariables() {
        assertThat(NginxRewriteTarget.parse("/$host/$1x").skeleton()).isEqualTo("/x/xx");
        assertThat(NginxRewriteTarget.parse("/$2").variables()).isFalse();
        assertThat(NginxRewriteTarget.parse("/$host").variables()).isTrue();
        assertThat(NginxRewriteTarget.isRedirect("HTTPS://a/")).isTrue();
        assertThat(NginxRewriteTarget.isRedirect("/http://a/")).isFalse();
    }
}
