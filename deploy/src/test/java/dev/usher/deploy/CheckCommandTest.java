package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code usher check --manifests DIR}: the report of what carries over from ingress-nginx, and its exit status. */
final class CheckCommandTest {

    private static final String NGINX_CLASS = """
            apiVersion: networking.k8s.io/v1
            kind: IngressClass
            metadata: {name: nginx}
            spec: {controller: k8s.io/ingress-nginx}
            """;

    private static final String BACKEND = """
            apiVersion: v1
            kind: Service
            metadata: {name: shop, namespace: default}
            spec:
              ports:
              - {port: 80, targetPort: 8080}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: shop-1
              namespace: default
              labels: {kubernetes.io/service-name: shop}
            addressType: IPv4
            ports:
            - {port: 8080, protocol: TCP}
            endpoints: [{addresses: [10.0.0.1], conditions: {ready: true}}]
            """;

    /** What people write for ingress-nginx: a snippet, a regex rewrite, a misspelled key. */
    private static final String NGINX_STYLE = """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: shop
              namespace: default
              annotations:
                nginx.ingress.kubernetes.io/configuration-snippet: |
                  more_set_headers "X-Frame-Options: DENY";
                  proxy_buffering off;
                nginx.ingress.kubernetes.io/use-regex: "true"
                nginx.ingress.kubernetes.io/rewrite-target: /$2
                nginx.ingress.kubernetes.io/proxy-write-timeout: "60"
                nginx.ingress.kubernetes.io/ssl-redirect: "false"
            spec:
              ingressClassName: nginx
              rules:
              - host: shop.example.com
                http:
                  paths:
                  - {path: /api(/|$)(.*), pathType: ImplementationSpecific, backend: {service: {name: shop, port: {number: 80}}}}
            """;

    private static final String CLEAN = """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: shop
              namespace: default
              annotations:
                nginx.ingress.kubernetes.io/ssl-redirect: "false"
                nginx.ingress.kubernetes.io/proxy-buffering: "off"
            spec:
              ingressClassName: nginx
              rules:
              - host: shop.example.com
                http:
                  paths:
                  - {path: /, pathType: Prefix, backend: {service: {name: shop, port: {number: 80}}}}
            """;

    private static final String OTHER_CLASS = """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: legacy
              namespace: default
              annotations: {kubernetes.io/ingress.class: traefik}
            spec:
              rules:
              - host: old.example.com
                http:
                  paths:
                  - {path: /, pathType: Prefix, backend: {service: {name: shop, port: {number: 80}}}}
            """;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int check(Path dir, String... more) {
        CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        List<String> args = new ArrayList<>(List.of(
                "check",
                "--manifests",
                dir.toString(),
                "--ingress-class",
                "nginx",
                "--controller-name",
                "k8s.io/ingress-nginx"));
        args.addAll(List.of(more));
        return commandLine.execute(args.toArray(String[]::new));
    }

    private static Path folder(Path dir, String... files) throws IOException {
        for (int i = 0; i < files.length; i++) {
            Files.writeString(dir.resolve("m" + i + ".yaml"), files[i]);
        }
        return dir;
    }

    @Test
    void check_ingressNginxStyleIngress_reportsEachAnnotationAndExits1(@TempDir Path dir) throws IOException {
        int code = check(folder(dir, NGINX_CLASS, BACKEND, NGINX_STYLE, OTHER_CLASS));

        assertThat(code).isEqualTo(1);
        String n = "nginx.ingress.kubernetes.io/";
        assertThat(out.toString())
                .startsWith("usher check: 2 Ingresses, 1 served by this controller, 1 not; "
                        + "1 routes, 0 problems, 0 conflicts\n"
                        + "annotations on served Ingresses: 3 honoured, 0 no effect needed, 1 refused, 0 unsupported, "
                        + "1 unknown, 0 invalid\n")
                .contains("result: 1 served Ingresses would lose something")
                .contains("Ingress default/shop: served (IngressClass 'nginx' of controller k8s.io/ingress-nginx)\n")
                .contains("  annotation " + n + "configuration-snippet: refused: snippets would inject "
                        + "configuration (IngressNightmare); Usher reads a configuration-snippet only when it holds "
                        + "nothing but header directives and a redirecting return, not here: 'proxy_buffering' is "
                        + "not a header directive")
                .contains("  annotation " + n + "rewrite-target: honoured: as ingress-nginx: the whole path")
                .contains("  annotation " + n + "use-regex: honoured: ")
                .contains("  annotation " + n + "proxy-write-timeout: unknown: not a real annotation; did you mean `"
                        + n + "proxy-send-timeout`?\n")
                .contains("  annotation " + n + "ssl-redirect: honoured: ")
                .contains("  route: shop.example.com ~* \"^/api(/|$)(.*)\" IMPLEMENTATION_SPECIFIC"
                        + " -> default/shop:80\n")
                .contains("Ingress default/legacy: not served (class annotation 'traefik', not 'nginx')\n")
                .doesNotContain("problem: annotation");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void check_rateLimitAnnotations_areHonoured_andABadOneIsInvalid(@TempDir Path dir) throws IOException {
        String limited = CLEAN.replace(
                "nginx.ingress.kubernetes.io/proxy-buffering: \"off\"",
                "nginx.ingress.kubernetes.io/limit-rps: \"10\"\n    nginx.ingress.kubernetes.io/limit-burst-multiplier: \"2\""
                        + "\n    nginx.ingress.kubernetes.io/limit-whitelist: 10.0.0.0/8"
                        + "\n    nginx.ingress.kubernetes.io/limit-connections: lots");

        int code = check(folder(dir, NGINX_CLASS, BACKEND, limited));

        String n = "nginx.ingress.kubernetes.io/";
        assertThat(code).as(out.toString()).isEqualTo(1);
        assertThat(out.toString())
                .contains("  annotation " + n + "limit-rps: honoured: as ingress-nginx: requests a second per client")
                .contains("  annotation " + n + "limit-burst-multiplier: honoured: ")
                .contains("  annotation " + n + "limit-whitelist: honoured: ")
                .contains("  annotation " + n + "limit-connections: invalid: 'lots': expected a whole number");
    }

    @Test
    void check_externalAuthAnnotations_areHonoured_andAnUnknownVariableFailsClosed(@TempDir Path dir)
            throws IOException {
        String guarded = CLEAN.replace(
                "nginx.ingress.kubernetes.io/proxy-buffering: \"off\"",
                "nginx.ingress.kubernetes.io/auth-url: \"https://$host/oauth2/auth\""
                        + "\n    nginx.ingress.kubernetes.io/auth-signin: \"https://$host/oauth2/start?rd=$escaped_request_uri\""
                        + "\n    nginx.ingress.kubernetes.io/auth-response-headers: X-Auth-Request-User"
                        + "\n    nginx.ingress.kubernetes.io/auth-method: GET"
                        + "\n    nginx.ingress.kubernetes.io/auth-request-redirect: /after"
                        + "\n    nginx.ingress.kubernetes.io/auth-always-set-cookie: \"true\""
                        + "\n    nginx.ingress.kubernetes.io/auth-cache-key: \"$remote_user$http_authorization\""
                        + "\n    nginx.ingress.kubernetes.io/auth-cache-duration: \"200 202 401 5m\"");
        String n = "nginx.ingress.kubernetes.io/";

        assertThat(check(folder(dir, NGINX_CLASS, BACKEND, guarded)))
                .as(out.toString())
                .isZero();
        for (String key : List.of(
                "auth-url",
                "auth-signin",
                "auth-response-headers",
                "auth-method",
                "auth-always-set-cookie",
                "auth-cache-key",
                "auth-cache-duration")) {
            assertThat(out.toString()).contains("  annotation " + n + key + ": honoured: as ingress-nginx: ");
        }

        out.getBuffer().setLength(0);
        String broken = guarded.replace("https://$host/oauth2/auth", "https://$http_host/oauth2/auth");
        assertThat(check(folder(dir, NGINX_CLASS, BACKEND, broken))).isEqualTo(1);
        assertThat(out.toString())
                .contains("  annotation " + n + "auth-url: invalid: ")
                .contains("auth-cache-key only")
                .contains("fails closed (503)");
    }

    @Test
    void check_customHeaders_isHonoured_andTheAllowedListDecidesWhetherItFailsClosed(@TempDir Path dir)
            throws IOException {
        String branded = CLEAN.replace(
                "nginx.ingress.kubernetes.io/proxy-buffering: \"off\"",
                "nginx.ingress.kubernetes.io/custom-headers: brand");
        String configMap = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: brand, namespace: default}\n"
                + "data: {X-Team: blue}\n";
        String n = "nginx.ingress.kubernetes.io/";
        folder(dir, NGINX_CLASS, BACKEND, branded, configMap);

        assertThat(check(dir)).as(out.toString()).isEqualTo(1);
        assertThat(out.toString())
                .contains("  annotation " + n + "custom-headers: honoured: as ingress-nginx: ")
                .contains("problem: annotation " + n + "custom-headers: ConfigMap default/brand: header X-Team is not"
                        + " allowed: --global-allowed-response-headers is empty; the Ingress fails closed (503)");

        out.getBuffer().setLength(0);
        assertThat(check(dir, "--global-allowed-response-headers", "X-Team"))
                .as(out.toString())
                .isZero();
        assertThat(out.toString()).doesNotContain("problem: annotation " + n + "custom-headers");
    }

    @Test
    void check_externalNameServices_localhostRefused_andAllRefusedWithTheFlag(@TempDir Path dir) throws IOException {
        String external = """
                apiVersion: v1
                kind: Service
                metadata: {name: shop, namespace: default}
                spec: {type: ExternalName, externalName: %s, ports: [{port: 80}]}
                """;
        folder(dir, NGINX_CLASS, CLEAN, external.formatted("shop.example.net"));
        assertThat(check(dir)).as(out.toString()).isZero();
        assertThat(out.toString()).contains("  route: shop.example.com / PREFIX -> default/shop:80\n");

        out.getBuffer().setLength(0);
        assertThat(check(dir, "--disable-svc-external-name")).isEqualTo(1);
        assertThat(out.toString()).contains("--disable-svc-external-name is set");

        out.getBuffer().setLength(0);
        folder(dir, NGINX_CLASS, CLEAN, external.formatted("localhost"));
        assertThat(check(dir)).isEqualTo(1);
        assertThat(out.toString()).contains("is an ExternalName for 'localhost', a name of the local host");
    }

    @Test
    void check_folderThatCarriesOverWhole_exits0(@TempDir Path dir) throws IOException {
        int code = check(folder(dir, NGINX_CLASS, BACKEND, CLEAN));

        assertThat(code).as(out.toString()).isZero();
        assertThat(out.toString())
                .contains("result: everything carries over\n")
                .contains("  annotation nginx.ingress.kubernetes.io/proxy-buffering: no effect needed: ")
                .contains("  route: shop.example.com / PREFIX -> default/shop:80\n");
    }

    @Test
    void check_conflict_namesWinnerAndLoser_andExits1(@TempDir Path dir) throws IOException {
        String younger = CLEAN.replace("name: shop\n  namespace", "name: shop-copy\n  namespace");
        int code = check(folder(dir, NGINX_CLASS, BACKEND, CLEAN, younger));

        assertThat(code).isEqualTo(1);
        assertThat(out.toString())
                .contains("0 problems, 1 conflicts\n")
                .contains("  conflict: won shop.example.com / PREFIX over default/shop-copy: ")
                .contains("  conflict: lost shop.example.com / PREFIX to default/shop: ");
    }

    @Test
    void check_canary_isNoConflict_showsItsShareOfTheMainRoute_andAMissingMainIsAProblem(@TempDir Path dir)
            throws IOException {
        String canary = CLEAN.replace("name: shop\n  namespace", "name: shop-canary\n  namespace")
                .replace(
                        "nginx.ingress.kubernetes.io/proxy-buffering: \"off\"",
                        "nginx.ingress.kubernetes.io/canary: "
                                + "\"true\"\n    nginx.ingress.kubernetes.io/canary-weight: \"10\"")
                .replace("name: shop, port", "name: shop-v2, port");
        int code = check(folder(dir, NGINX_CLASS, BACKEND, CLEAN, canary, BACKEND.replace("shop", "shop-v2")));

        assertThat(code).as(out.toString()).isZero();
        assertThat(out.toString())
                .contains("0 problems, 0 conflicts\n")
                .contains("  annotation nginx.ingress.kubernetes.io/canary: honoured: as ingress-nginx: ")
                .contains("  annotation nginx.ingress.kubernetes.io/canary-weight: honoured: ")
                .contains("  route: shop.example.com / PREFIX -> default/shop:80 (canary: default/shop-canary)\n")
                .contains("  route: shop.example.com / PREFIX -> default/shop-v2:80 (canary of default/shop -> "
                        + "default/shop:80: weight 10/100)\n");

        out.getBuffer().setLength(0);
        Files.delete(dir.resolve("m2.yaml"));
        assertThat(check(dir)).isEqualTo(1);
        assertThat(out.toString())
                .contains("  problem: canary: no other Ingress routes host shop.example.com " + "PREFIX path '/'");
    }

    @Test
    void check_formatJson_parsesAndCarriesTheSameReport(@TempDir Path dir) throws IOException {
        int code = check(folder(dir, NGINX_CLASS, BACKEND, NGINX_STYLE), "--format", "json");

        assertThat(code).isEqualTo(1);
        JsonNode root = JsonMapper.builder().build().readTree(out.toString());
        assertThat(root.get("summary").get("served").asInt()).isEqualTo(1);
        assertThat(root.get("summary").get("annotations").get("REFUSED").asInt())
                .isEqualTo(1);
        assertThat(root.get("summary").get("dropsAnything").asBoolean()).isTrue();
        JsonNode shop = root.get("ingresses").get(0);
        assertThat(shop.get("ingress").asString()).isEqualTo("default/shop");
        assertThat(shop.get("routes").get(0).get("backend").asString()).isEqualTo("default/shop:80");
        assertThat(shop.get("annotations")).anySatisfy(a -> {
            assertThat(a.get("key").asString()).endsWith("configuration-snippet");
            assertThat(a.get("status").asString()).isEqualTo("REFUSED");
        });
    }

    @Test
    void check_unknownFormat_isAUsageError(@TempDir Path dir) {
        assertThat(check(dir, "--format", "xml")).isEqualTo(2);
        assertThat(err.toString()).contains("--format: expected text or json");
    }
}
