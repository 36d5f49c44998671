package dev.usher.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usher.routing.NginxTemplate.Literal;
import dev.usher.routing.NginxTemplate.Variable;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** nginx variables in annotation values: parsed once into parts, expanded per request without header injection. */
final class NginxTemplateTest {

    private static final Function<Variable, String> VALUES = Map.of(
            Variable.HOST, "app.example",
            Variable.SCHEME, "https",
            Variable.REQUEST_URI, "/a b?x=1&y=é",
            Variable.ESCAPED_REQUEST_URI, NginxTemplate.escapeComponent("/a b?x=1&y=é"),
            Variable.BEST_HTTP_HOST, "app.example:8443",
            Variable.SERVER_PORT, "8443",
            Variable.SERVICE_NAME, "oauth2-proxy",
            Variable.NAMESPACE, "auth",
            Variable.REMOTE_ADDR, "192.0.2.1",
            Variable.REQUEST_ID, "f0e1d2")::get;

    @Test
    void parse_splitsLiteralsAndVariables() {
        NginxTemplate t = NginxTemplate.parse("https://$host/oauth2/start?rd=${escaped_request_uri}x");

        assertThat(t.parts())
                .containsExactly(
                        new Literal("https://"),
                        Variable.HOST,
                        new Literal("/oauth2/start?rd="),
                        Variable.ESCAPED_REQUEST_URI,
                        new Literal("x"));
        assertThat(t.constant()).isFalse();
        assertThat(t.literalText()).isEqualTo("https:///oauth2/start?rd=x");
        assertThat(NginxTemplate.parse("http://a/b").constant()).isTrue();
        assertThat(NginxTemplate.parse("price: 5$ or $").parts()).containsExactly(new Literal("price: 5$ or $"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "http://$service_name.$namespace.svc.cluster.local:4180/oauth2/auth|"
                        + "http://oauth2-proxy.auth.svc.cluster.local:4180/oauth2/auth",
                "$scheme://$best_http_host$request_uri|https://app.example:8443/a%20b?x=1&y=%C3%A9",
                "https://$host/start?rd=$escaped_request_uri|"
                        + "https://app.example/start?rd=%2Fa%20b%3Fx%3D1%26y%3D%C3%A9",
                "http://x/$server_port/$remote_addr|http://x/8443/192.0.2.1",
                "${HOST}|app.example",
                "$req_id/${request_id}|f0e1d2/f0e1d2" // ingress-nginx's $req_id is Usher's one request ID
            })
    void expand_substitutesEachVariable(String template, String expected) {
        assertThat(NginxTemplate.parse(template).expand(VALUES)).isEqualTo(expected);
    }

    @Test
    void escapedRequestUri_isQueryEscaped_asGoAndNginxDo() {
        assertThat(NginxTemplate.escapeComponent("/?a=b&c=d")).isEqualTo("%2F%3Fa%3Db%26c%3Dd");
        assertThat(NginxTemplate.escapeComponent("A-z_0.9~")).isEqualTo("A-z_0.9~");
    }

    @Test
    void expandedValues_cannotSplitAHeaderOrARequestLine() {
        NginxTemplate t = NginxTemplate.parse("http://auth/check?u=$request_uri");

        String expanded =
                t.expand(v -> "/x\r\nX-Injected: 1\n\"<>\\^`{|}\u0000\u007f" + new String(Character.toChars(0x1F600)));

        assertThat(expanded)
                .isEqualTo(
                        "http://auth/check?u=/x%0D%0AX-Injected:%201%0A%22%3C%3E%5C%5E%60%7B%7C%7D%00%7F%F0%9F%98%80")
                .doesNotContain("\r", "\n", " ");
    }

    @Test
    void unknownVariables_andUnclosedBraces_areRefused_withTheKnownOnesNamed() {
        for (String bad : List.of("http://a/$cookies", "$http_", "${request_time}", "${host")) {
            assertThatThrownBy(() -> NginxTemplate.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> NginxTemplate.parse("$arg_rd"))
                .hasMessageContaining("$arg_rd")
                .hasMessageContaining("$escaped_request_uri");
    }

    @Test
    void requestFields_expandFromTheHead_onlyThroughFields() {
        NginxTemplate t = NginxTemplate.parse("$remote_user|$http_authorization|${cookie_Session}|$HTTP_X_API_KEY");

        assertThat(t.readsRequestFields()).isTrue();
        assertThat(t.constant()).isFalse();
        assertThat(t.expand(v -> "v")).isEqualTo("|||");
        NginxTemplate.Fields fields = new NginxTemplate.Fields() {
            @Override
            public String apply(NginxTemplate.Variable variable) {
                return "v";
            }

            @Override
            public String field(NginxTemplate.RequestField field) {
                return field.kind() + ":" + field.name() + "\r\n";
            }
        };
        assertThat(t.expand(fields))
                .isEqualTo("REMOTE_USER:%0D%0A|HEADER:authorization%0D%0A|COOKIE:Session%0D%0A|HEADER:x-api-key%0D%0A");
        assertThat(NginxTemplate.parse("http://$host/$request_uri").readsRequestFields())
                .isFalse();
    }
}
