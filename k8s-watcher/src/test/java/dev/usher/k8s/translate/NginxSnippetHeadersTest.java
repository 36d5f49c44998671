package dev.usher.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.HeaderEdit;
import dev.usher.routing.HeaderEdit.Mode;
import dev.usher.routing.LocalRedirect;
import dev.usher.routing.NginxTemplate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The header directives read from a {@code configuration-snippet}, and everything else refusing the whole snippet
 * (each refused case names why, and yields no edit).
 */
final class NginxSnippetHeadersTest {

    private static final String N = "nginx.ingress.kubernetes.io/";

    @Test
    void headerDirectives_becomeEdits_inOrder() {
        NginxSnippetHeaders.Parsed parsed = NginxSnippetHeaders.parse("""
                # security headers, as ingress-nginx users write them
                more_set_headers "X-Frame-Options: DENY" 'X-Content-Type-Options:  nosniff';
                add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
                add_header X-Served-By usher;
                more_clear_headers Server X-Powered-By;
                proxy_hide_header X-Internal;
                more_set_headers "X-Empty:";   # an empty value clears, as headers-more does
                more_set_headers "X-Quoted: say \\"hi\\"\\tnow";
                add_header X-Nothing "";
                """);

        assertThat(parsed.problem()).isNull();
        assertThat(parsed.edits())
                .containsExactly(
                        new HeaderEdit("x-frame-options", "DENY", Mode.SET),
                        new HeaderEdit("x-content-type-options", "nosniff", Mode.SET),
                        new HeaderEdit(
                                "strict-transport-security", "max-age=31536000; includeSubDomains", Mode.ADD_ALWAYS),
                        new HeaderEdit("x-served-by", "usher", Mode.ADD),
                        new HeaderEdit("server", null, Mode.CLEAR),
                        new HeaderEdit("x-powered-by", null, Mode.CLEAR),
                        new HeaderEdit("x-internal", null, Mode.CLEAR),
                        new HeaderEdit("x-empty", null, Mode.CLEAR),
                        new HeaderEdit("x-quoted", "say \"hi\"\tnow", Mode.SET));
        assertThat(NginxSnippetHeaders.parse("  # nothing\n\n").edits()).isEmpty();
        assertThat(NginxSnippetHeaders.parse("  # nothing\n\n").problem()).isNull();
    }

    @Test
    void requestDirectives_becomeEditsOfWhatTheOriginIsSent() {
        NginxSnippetHeaders.Parsed parsed = NginxSnippetHeaders.parse("""
                proxy_set_header X-Tenant blue;
                more_set_input_headers "X-Env: prod" "X-Debug:";
                more_clear_input_headers User-Agent;
                proxy_set_header X-Empty "";
                more_set_headers "X-Frame-Options: DENY";
                """);

        assertThat(parsed.problem()).isNull();
        assertThat(parsed.requestEdits())
                .containsExactly(
                        new HeaderEdit("x-tenant", "blue", Mode.SET),
                        new HeaderEdit("x-env", "prod", Mode.SET),
                        new HeaderEdit("x-debug", null, Mode.CLEAR),
                        new HeaderEdit("user-agent", null, Mode.CLEAR),
                        new HeaderEdit("x-empty", null, Mode.CLEAR));
        assertThat(parsed.edits()).containsExactly(new HeaderEdit("x-frame-options", "DENY", Mode.SET));
    }

    @Test
    void valuesMayHoldTheVariablesUsherExpands_namesMayNot() {
        NginxSnippetHeaders.Parsed parsed = NginxSnippetHeaders.parse("""
                proxy_set_header X-Forwarded-Host $host;
                more_set_headers "X-Seen: $scheme://${host}$request_uri from $remote_addr";
                add_header X-Price "5$ off";
                """);

        assertThat(parsed.problem()).isNull();
        HeaderEdit host = parsed.requestEdits().get(0);
        assertThat(host.name()).isEqualTo("x-forwarded-host");
        assertThat(host.template()).isNotNull();
        assertThat(host.valueFor(v -> v == dev.usher.routing.NginxTemplate.Variable.HOST ? "a.example.com" : "?"))
                .isEqualTo("a.example.com");
        HeaderEdit seen = parsed.edits().get(0);
        assertThat(seen.valueFor(v -> switch (v) {
                    case SCHEME -> "https";
                    case HOST -> "a.example.com";
                    case REQUEST_URI -> "/p?q=\"1\"";
                    case REMOTE_ADDR -> "192.0.2.7";
                    default -> "?";
                }))
                .isEqualTo("https://a.example.com/p?q=%221%22 from 192.0.2.7"); // a quote encoded, as every expansion
        assertThat(parsed.edits().get(1).template()).isNull(); // "$ " is no variable: sent as written
        assertThat(parsed.edits().get(1).valueFor(v -> "?")).isEqualTo("5$ off");
    }

    @Test
    void linesAskingForWhatUsherDoesAnyway_areNoOps_notRefusals() {
        NginxSnippetHeaders.Parsed parsed = NginxSnippetHeaders.parse("""
                proxy_http_version 1.1;
                proxy_set_header Upgrade $http_upgrade;
                proxy_set_header Connection "upgrade";
                proxy_set_header connection $connection_upgrade;
                proxy_set_header X-Real-IP $remote_addr;
                proxy_set_header X-Forwarded-Proto $scheme;
                proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                proxy_set_header Host $http_host;
                proxy_set_header HOST $best_http_host;
                more_set_headers "X-Frame-Options: DENY";
                """);

        assertThat(parsed.problem()).isNull();
        assertThat(parsed.alreadyDone()).isEqualTo(9);
        assertThat(parsed.requestEdits()).isEmpty();
        assertThat(parsed.edits()).containsExactly(new HeaderEdit("x-frame-options", "DENY", Mode.SET));
        assertThat(Annotations.classify(N + "configuration-snippet", "proxy_http_version 1.1;")
                        .reason())
                .contains("1 already what Usher does");
        assertThat(NginxSnippetHeaders.parse("proxy_set_header X-Forwarded-For $remote_addr;")
                        .requestEdits())
                .hasSize(1); // not what Usher does (it appends to a trusted proxy's list): a real edit
        assertThat(NginxSnippetHeaders.parse("proxy_http_version 1.0;").problem())
                .contains("'proxy_http_version' is not a header directive");
    }

    @Test
    void aRedirectingReturn_answersEveryRequest_itsVariablesExpandedPerRequest() {
        NginxSnippetHeaders.Parsed parsed = NginxSnippetHeaders.parse("""
                # moved for good
                more_set_headers "X-Moved: yes";
                return 301 https://www.example.com$request_uri;
                """);

        assertThat(parsed.problem()).isNull();
        assertThat(parsed.edits()).hasSize(1);
        assertThat(parsed.redirect().status()).isEqualTo(301);
        assertThat(parsed.redirect().location()).isEqualTo("https://www.example.com$request_uri");
        assertThat(parsed.redirect().template()).isNotNull();
        assertThat(NginxSnippetHeaders.parse("return https://down.example.com/;")
                        .redirect())
                .isEqualTo(new LocalRedirect("https://down.example.com/", 302)); // nginx's default, no template
        assertThat(NginxSnippetHeaders.parse("return 308 $scheme://$host/v2$request_uri;")
                        .redirect()
                        .status())
                .isEqualTo(308);
        assertThat(Annotations.classify(N + "configuration-snippet", "return 301 https://a.example.com/;")
                        .reason())
                .contains("every request answered 301 to https://a.example.com/");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "return 403; | return 403 is not read: only redirects",
                "return 200 'ok'; | return 200 is not read: only redirects",
                "return 301; | return takes a redirect status and a URL",
                "return 301 //evil.example.com/; | is not an http(s) URL or a path",
                "return 301 javascript:alert(1); | is not an http(s) URL or a path",
                "return 302 https://a.example.com/$http_x_next; | the request's fields",
                "return 302 https://a.example.com/$request_time; | unknown nginx variable $request_time",
                "return 301 'https://a.example.com/ x'; | the URL has a blank or a control byte",
                "return 301 https://a/; return 302 https://b/; | more than one return",
            })
    void anyOtherReturn_refusesTheSnippet(String snippet, String reason) {
        assertThat(NginxSnippetHeaders.parse(snippet).problem()).contains(reason);
        assertThat(NginxSnippetHeaders.parse(snippet).redirect()).isNull();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "proxy_pass http://evil; | 'proxy_pass' is not a header directive",
                "more_set_headers \"X-A: b\"; proxy_pass_header X-B; | 'proxy_pass_header' is not a header directive",
                "add_header X-Id $request_time; | unknown nginx variable $request_time",
                "proxy_set_header X-A $proxy_add_x_forwarded_for; | unknown nginx variable $proxy_add_x_forwarded_for",
                "more_set_headers \"X-A: ${host\"; | is not closed with '}'",
                "more_set_headers \"X$a: b\"; | variables ($...) are not expanded",
                "more_set_headers -s 4xx \"X-A: b\"; | -s takes three-digit statuses",
                "more_set_headers -s '404 20' \"X-A: b\"; | -s takes three-digit statuses",
                "more_clear_headers -t 'text/*' X-A; | -t takes media types",
                "more_clear_headers -t 'text/html; charset=utf-8' X-A; | -t takes media types",
                "more_set_headers \"X-A: b\" -s; | -s without its list",
                "more_set_headers -s 404; | names no field",
                "more_set_headers -a \"X-A: b\"; | option '-a' is not supported (-s and -t are)",
                "more_set_headers \"X-A: a\\r\\nSet-Cookie: s=1\"; | only visible ASCII",
                "more_set_headers \"X-A: caf\u00e9\"; | only visible ASCII",
                "more_set_headers \"Content-Length: 0\"; | the proxy's own field",
                "more_clear_headers Transfer-Encoding; | the proxy's own field",
                "more_set_headers \"Bad Name: x\"; | is not a field name",
                "more_set_headers \"X(A): x\"; | is not a field name",
                "more_clear_headers \"X-Hidden-*\"; | wildcard field names",
                "location / { return 200; } | blocks ({ }) are not supported",
                "more_set_headers \"X-A: b\" | the last directive has no closing ;",
                "more_set_headers \"X-A: b; | an unterminated quoted string",
                "add_header X-A; | add_header takes a name, a value",
                "add_header X-A b sometimes; | add_header takes a name, a value",
                "more_set_headers X-A; | expects \"Name: value\"",
                "more_set_headers; | names no field",
                "more_set_headers \"X-A: b\"x; | text right after a quoted string",
                "more_set_headers X\"A: b\"; | a quote inside a word",
                "; | an empty directive",
                "proxy_hide_header; | proxy_hide_header takes one field name",
                "proxy_set_header Host app.internal; | a snippet may only set it to $host",
                "proxy_set_header Host $host:8080; | a snippet may only set it to $host",
                "proxy_set_header Host $http_x_host; | a snippet may only set it to $host",
                "more_set_input_headers \"host: a\"; | a snippet may only set it to $host",
                "more_clear_input_headers Host; | a snippet may only set it to $host",
                "proxy_set_header X-A; | proxy_set_header takes a field name and a value",
                "more_set_input_headers -r \"X-A: b\"; | option '-r' is not supported",
                "more_clear_input_headers -t text/html X-A; | option '-t' is not supported",
                "proxy_set_header Content-Length 5; | the proxy's own field",
                "more_clear_input_headers Transfer-Encoding; | the proxy's own field"
            })
    void anythingElse_refusesTheWholeSnippet(String snippet, String why) {
        NginxSnippetHeaders.Parsed parsed = NginxSnippetHeaders.parse(snippet);
        assertThat(parsed.problem()).as(snippet).contains(why);
        assertThat(parsed.edits()).isEmpty();
        assertThat(NginxSnippetHeaders.read(Map.of(N + "configuration-snippet", snippet)))
                .isEqualTo(NginxSnippetHeaders.Parsed.NONE);
        assertThat(Annotations.classify(N + "configuration-snippet", snippet).status())
                .isEqualTo(Annotations.Status.REFUSED);
    }

    @Test
    void headersMoresStatusAndTypeFilters_limitTheResponseEdits() {
        NginxSnippetHeaders.Parsed parsed = NginxSnippetHeaders.parse("""
                more_set_headers -s '404 500' -s 503 -t 'Text/HTML application/json' "X-A: a" "X-B: b";
                more_clear_headers Server -s 304;
                more_set_headers "X-C: c";
                """);

        assertThat(parsed.problem()).isNull();
        HeaderEdit a = parsed.edits().get(0);
        assertThat(a.statuses()).containsExactlyInAnyOrder(404, 500, 503);
        assertThat(a.types()).containsExactlyInAnyOrder("text/html", "application/json");
        assertThat(parsed.edits().get(1).types()).isEqualTo(a.types()); // the options cover the directive's fields
        assertThat(a.appliesTo(404, "text/html; charset=utf-8")).isTrue();
        assertThat(a.appliesTo(404, "TEXT/HTML")).isTrue();
        assertThat(a.appliesTo(200, "text/html")).isFalse();
        assertThat(a.appliesTo(500, "text/plain")).isFalse();
        assertThat(a.appliesTo(500, null)).isFalse();
        HeaderEdit server = parsed.edits().get(2);
        assertThat(server.mode()).isEqualTo(Mode.CLEAR);
        assertThat(server.statuses()).containsExactly(304);
        assertThat(server.types()).isEmpty();
        assertThat(server.appliesTo(304, null)).isTrue();
        assertThat(parsed.edits().get(3).appliesTo(200, null)).isTrue(); // no filter: every response
    }

    @Test
    void theClientsOwnFields_areExpandedPerRequest_encoded() {
        NginxSnippetHeaders.Parsed parsed = NginxSnippetHeaders.parse("""
                more_set_headers "Access-Control-Allow-Origin: $http_origin";
                proxy_set_header X-User "$remote_user via ${cookie_Session}";
                proxy_set_header Host $host;
                """);

        assertThat(parsed.problem()).isNull();
        HeaderEdit origin = parsed.edits().get(0);
        assertThat(origin.name()).isEqualTo("access-control-allow-origin");
        assertThat(origin.template()).isNotNull();
        assertThat(origin.template().readsRequestFields()).isTrue();
        NginxTemplate.Fields fields = new NginxTemplate.Fields() {
            @Override
            public String apply(NginxTemplate.Variable variable) {
                return variable == NginxTemplate.Variable.HOST ? "a.example.com" : "?";
            }

            @Override
            public String field(NginxTemplate.RequestField field) {
                return switch (field.kind()) {
                    case HEADER -> field.name().equals("origin") ? "https://x.example\r\nSet-Cookie: a=1" : "";
                    case COOKIE -> field.name().equals("Session") ? "s 1" : "";
                    case REMOTE_USER -> "ann";
                };
            }
        };
        assertThat(origin.valueFor(fields)).isEqualTo("https://x.example%0D%0ASet-Cookie:%20a=1"); // never split
        assertThat(parsed.requestEdits().get(0).valueFor(fields)).isEqualTo("ann via s%201");
        assertThat(parsed.requestEdits().get(1).name()).isEqualTo("host");
        assertThat(parsed.requestEdits().get(1).valueFor(fields)).isEqualTo("a.example.com");
    }

    @Test
    void aLiteralLineBreakInsideQuotes_cannotSplitAField() {
        NginxSnippetHeaders.Parsed parsed = NginxSnippetHeaders.parse("more_set_headers \"X-A: a\nX-B: b\";");
        assertThat(parsed.problem()).contains("only visible ASCII");
    }

    @Test
    void translated_theIngressCarriesItsEdits_andARefusedSnippetCarriesNone() {
        String snippet = "more_set_headers \"X-Frame-Options: DENY\"; more_clear_headers Server;";
        String edited = Yaml.ingress("edited", "a.example.com", "svc", 80)
                .replace(
                        "namespace: default}",
                        "namespace: default, annotations: {" + N + "configuration-snippet: '" + snippet + "'}}");
        String refused = Yaml.ingress("refused", "b.example.com", "svc", 80)
                .replace(
                        "namespace: default}",
                        "namespace: default, annotations: {" + N
                                + "configuration-snippet: 'more_set_headers \"X-A: b\"; rewrite ^ /x;'}}");
        Translation t = Translator.translate(Yaml.kube(Yaml.OUR_CLASS, edited, refused), WatcherSettings.defaults());

        assertThat(t.ruleSets()).hasSize(2);
        assertThat(t.ruleSets().get(0).options().headerEdits())
                .containsExactly(
                        new HeaderEdit("x-frame-options", "DENY", Mode.SET),
                        new HeaderEdit("server", null, Mode.CLEAR));
        assertThat(t.ruleSets().get(1).options().headerEdits()).isEmpty();
        assertThat(t.problems())
                .filteredOn(p -> p.message().contains("configuration-snippet"))
                .singleElement()
                .satisfies(p -> assertThat(p.message()).contains("'rewrite' is not a header directive"));
    }

    @Test
    void tooManyEdits_refuseTheSnippet() {
        String many = "more_clear_headers" + " X-A".repeat(NginxSnippetHeaders.MAX_EDITS + 1) + ";";
        assertThat(NginxSnippetHeaders.parse(many).problem()).contains("more than 64 header edits");
        String enough = "more_clear_headers" + " X-A".repeat(NginxSnippetHeaders.MAX_EDITS) + ";";
        assertThat(NginxSnippetHeaders.parse(enough).edits()).hasSize(NginxSnippetHeaders.MAX_EDITS);
    }

    @Test
    void aHeaderOnlySnippet_isHonoured_andOtherSnippetsStayRefused() {
        assertThat(Annotations.classify(N + "configuration-snippet", "more_set_headers \"X-A: b\";"))
                .satisfies(v -> {
                    assertThat(v.status()).isEqualTo(Annotations.Status.HONOURED);
                    assertThat(v.reason()).contains("1 edit(s)");
                });
        assertThat(Annotations.classify(N + "server-snippet", "more_set_headers \"X-A: b\";")
                        .status())
                .isEqualTo(Annotations.Status.REFUSED);
        assertThat(NginxSnippetHeaders.read(Map.of())).isEqualTo(NginxSnippetHeaders.Parsed.NONE);
        assertThat(NginxSnippetHeaders.read(Map.of(N + "configuration-snippet", "add_header X-A b;"))
                        .edits())
                .isEqualTo(List.of(new HeaderEdit("x-a", "b", Mode.ADD)));
    }
}
