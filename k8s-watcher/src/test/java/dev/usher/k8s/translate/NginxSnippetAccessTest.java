package dev.usher.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which snippets hold access control: the directive found where nginx reads a directive name, never a word inside a
 * quoted value or a comment.
 */
final class NginxSnippetAccessTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            nullValues = "-",
            value = {
                "allow 10.0.0.0/8; deny all;                                          | allow",
                "location /admin { deny all; }                                        | deny",
                "if ($http_x_token != \"s3cret\") { return 403; }                     | return 403",
                "if ($invalid_referer) {return 444;}                                  | return 444",
                "auth_basic \"Staff\"; auth_basic_user_file /etc/htpasswd;            | auth_basic",
                "auth_request /check;                                                 | auth_request",
                "satisfy any;                                                         | satisfy",
                "limit_except GET { allow 192.0.2.1; }                                | limit_except",
                "access_by_lua_block { ngx.exit(403) }                                | access_by_lua_block",
                "ssl_verify_client on;                                                | ssl_verify_client",
                "DENY all;                                                            | DENY",
                "\"deny\" all;                                                        | deny",
                "ssl_verify_client off;                                               | -",
                "return 200 ok;                                                       | -",
                "return 301 https://example.com$request_uri;                          | -",
                "more_set_headers \"X-Frame-Options: DENY\";                          | -",
                "add_header X-Note 'deny all; allow none';                            | -",
                "rewrite ^/old/(.*)$ /new/$1 break;                                   | -",
                "client_header_buffer_size 32k; large_client_header_buffers 4 32k;    | -",
                "set $deny 1; proxy_set_header X-Deny $deny;                          | -",
                "unterminated \"quote deny all;                                       | -",
            })
    void access_isTheDirectiveThatCanRefuseARequest(String snippet, String expected) {
        assertThat(NginxSnippetAccess.access(snippet.strip().replace("\\n", "\n")))
                .isEqualTo(expected);
    }

    @Test
    void aServerSnippetsAccessControl_closesEveryIngressOfItsHosts_andNoOther() {
        Translation t = Translator.translate(
                Yaml.kube(
                        Yaml.OUR_CLASS,
                        closing("closer", "shop.example.com", "2024-01-01"), // the host's oldest: its owner
                        aged(Yaml.ingress("admin", "shop.example.com", "svc", 80), "admin", "2025-01-01"),
                        Yaml.ingress("other", "other.example.com", "svc", 80)),
                WatcherSettings.defaults());

        Map<String, String> denied = new java.util.HashMap<>();
        t.ruleSets()
                .forEach(r -> denied.put(r.name(), String.valueOf(r.options().denied())));
        assertThat(denied.get("closer")).contains("server-snippet: it holds access control Usher does not apply");
        assertThat(denied.get("admin"))
                .isEqualTo("host shop.example.com: the server-snippet of Ingress default/closer holds access control"
                        + " Usher does not apply ('deny'), so every Ingress of the host fails closed (503): a"
                        + " server-snippet covers every path of its hosts");
        assertThat(denied.get("other")).isEqualTo("null");
        assertThat(t.problems())
                .extracting(Problem::message)
                .anyMatch(m -> m.startsWith("host shop.example.com: the server-snippet of Ingress default/closer"));
    }

    @Test
    void aNewerIngressesServerSnippet_closesOnlyItself_notTheHostItDoesNotOwn() {
        Translation t = Translator.translate(
                Yaml.kube(
                        Yaml.OUR_CLASS,
                        aged(Yaml.ingress("owner", "shop.example.com", "svc", 80), "owner", "2024-01-01"),
                        closing("intruder", "shop.example.com", "2025-01-01")),
                WatcherSettings.defaults());

        Map<String, String> denied = new java.util.HashMap<>();
        t.ruleSets()
                .forEach(r -> denied.put(r.name(), String.valueOf(r.options().denied())));
        assertThat(denied.get("owner")).isEqualTo("null");
        assertThat(denied.get("intruder")).contains("server-snippet: it holds access control");
    }

    /** An Ingress for {@code host} created on {@code day} whose server-snippet denies {@code /admin}. */
    private static String closing(String name, String host, String day) {
        return aged(Yaml.ingress(name, host, "svc", 80), name, day)
                .replace(
                        "namespace: default}",
                        "namespace: default, annotations: {" + Annotations.NGINX
                                + "server-snippet: 'location /admin { deny all; }'}}");
    }

    private static String aged(String ingress, String name, String day) {
        return ingress.replace(
                "name: " + name + ",", "name: " + name + ", creationTimestamp: '" + day + "T00:00:00Z',");
    }

    @Test
    void aCommentedOutDirective_isNone() {
        assertThat(NginxSnippetAccess.access("proxy_buffering off; # deny all;\n# return 403;\nreturn 200;"))
                .isNull();
        assertThat(NginxSnippetAccess.access("proxy_buffering off; # a note\ndeny all;"))
                .isEqualTo("deny");
    }

    @Test
    void statements_splitAtSemicolonsAndBraces_atAnyDepth() {
        assertThat(NginxSnippetAccess.statements("location ~ /a { if ($x) { return 403; } }  deny  all"))
                .containsExactly(
                        List.of("location", "~", "/a"),
                        List.of("if", "($x)"),
                        List.of("return", "403"),
                        List.of("deny", "all"));
    }

    @Test
    void denied_onlyForASnippetUsherRefuses() {
        String n = Annotations.NGINX;
        assertThat(NginxSnippetAccess.denied(Map.of(n + "configuration-snippet", "more_set_headers \"X: deny\";")))
                .isNull(); // read as header directives: nothing refused
        assertThat(NginxSnippetAccess.denied(Map.of(n + "modsecurity-snippet", "SecRule ARGS \"x\" \"deny\"")))
                .isNull(); // ModSecurity's rules are not nginx directives: reported as refused, not read here
        assertThat(NginxSnippetAccess.denied(Map.of(n + "auth-snippet", "deny all;")))
                .isEqualTo("annotation " + n + "auth-snippet: it holds access control Usher does not apply ('deny'),"
                        + " so the Ingress fails closed (503)");
    }
}
