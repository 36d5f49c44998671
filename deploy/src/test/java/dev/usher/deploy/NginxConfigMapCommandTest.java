package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.proxy.ProxySettings;
import dev.usher.routing.HeaderEdit;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code usher nginx-configmap}: an ingress-nginx controller ConfigMap as {@code usher run} flags. The flags it prints
 * are parsed back by {@code usher run}'s own command line, so what the report promises is what Usher would do.
 */
final class NginxConfigMapCommandTest {

    /** What an ingress-nginx installation's ConfigMap typically says, with the ConfigMap its add-headers names. */
    private static final String TYPICAL = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
            data:
              proxy-body-size: "50m"
              proxy-read-timeout: "300"
              use-forwarded-headers: "true"
              proxy-real-ip-cidr: "10.0.0.0/8, 192.168.0.0/16"
              allow-snippet-annotations: "false"
              hsts-max-age: "31536000"
              large-client-header-buffers: "4 16k"
              log-format-escape-json: "true"
              proxy-next-upstream: "error timeout http_502"
              retry-non-idempotent: "true"
              add-headers: ingress-nginx/custom-headers
              global-allowed-response-headers: "X-Team, Referrer-Policy"
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: custom-headers, namespace: ingress-nginx}
            data:
              X-Frame-Options: DENY
              Referrer-Policy: no-referrer
            """;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void aTypicalConfigMap_becomesFlags_thatUsherRunTakesAsTheSameSettings(@TempDir Path dir) throws IOException {
        int status = run(file(dir, TYPICAL));

        assertThat(status).as(err.toString()).isZero();
        String text = out.toString();
        assertThat(text)
                .startsWith("ingress-nginx ConfigMap ingress-nginx/ingress-nginx-controller: 10 key(s), 0 are not")
                .contains("honoured     proxy-body-size = \"50m\" -> --max-request-body 50m")
                .contains("no effect    allow-snippet-annotations = \"false\"")
                .contains("--trusted-proxies 10.0.0.0/8,192.168.0.0/16")
                .contains("--hsts 'max-age=31536000; includeSubDomains'")
                .doesNotContain("hsts-max-age =", "proxy-real-ip-cidr =", "retry-non-idempotent ="); // with their key

        assertThat(configOf(flags(text)).watcher().allowedResponseHeaders())
                .containsExactlyInAnyOrder("x-team", "referrer-policy");
        ProxySettings settings = settingsOf(flags(text));
        assertThat(settings.maxRequestBodyBytes()).isEqualTo(50L * 1024 * 1024);
        assertThat(settings.responseTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(settings.trustedProxies().contains(InetAddress.getByName("10.1.2.3")))
                .isTrue();
        assertThat(settings.trustedProxies().contains(InetAddress.getByName("172.16.0.1")))
                .isFalse();
        assertThat(settings.hsts()).isEqualTo("max-age=31536000; includeSubDomains");
        assertThat(settings.maxInitialLineLength()).isEqualTo(16 * 1024);
        assertThat(settings.maxHeaderSize()).isEqualTo(64 * 1024);
        assertThat(settings.accessLog()).isEqualTo(ProxySettings.AccessLogFormat.JSON);
        assertThat(settings.retryOn().toString()).contains("http_502", "non_idempotent");
        assertThat(settings.addHeaders())
                .extracting(HeaderEdit::name, HeaderEdit::value)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("x-frame-options", "DENY"),
                        org.assertj.core.groups.Tuple.tuple("referrer-policy", "no-referrer"));
    }

    @Test
    void whatDoesNotCarryOver_isSaid_andTheExitStatusIs1(@TempDir Path dir) throws IOException {
        int status = run(file(dir, """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
                data:
                  use-gzip: "true"
                  server-snippet: "location /x { return 200; }"
                  proxy-body-size: "ten"
                  limit-req-status-code: "200"
                  hsts: "false"
                  add-headers: ingress-nginx/missing
                  proxy-set-headers: ingress-nginx/vars
                  made-up-key: "1"
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: vars, namespace: ingress-nginx}
                data:
                  X-Scheme: $scheme
                """));

        assertThat(status).isEqualTo(1);
        assertThat(out.toString())
                .contains("unsupported  use-gzip = \"true\" (Usher does not compress responses)")
                .contains("refused      server-snippet")
                .contains("invalid      proxy-body-size = \"ten\"")
                .contains("invalid      limit-req-status-code = \"200\" (usher run would refuse it:")
                .contains("no effect    hsts = \"false\"")
                .contains("invalid      add-headers = \"ingress-nginx/missing\" (names ConfigMap ingress-nginx/missing")
                .contains("unsupported  proxy-set-headers = \"ingress-nginx/vars\" (field X-Scheme holds an nginx")
                .contains("unsupported  made-up-key")
                .endsWith("usher run flags: none needed\n");
    }

    @Test
    void withoutHsts_ingressNginxsDefaultIsCarriedOver(@TempDir Path dir) throws IOException {
        int status = run(file(dir, """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: c, namespace: n}
                data: {keep-alive: "75", worker-processes: auto}
                """));

        assertThat(status).isZero();
        assertThat(out.toString())
                .contains("honoured     hsts = \"(not set: on in ingress-nginx)\" -> --hsts 'max-age=15724800; "
                        + "includeSubDomains'")
                .contains("no effect    worker-processes = \"auto\"");
        assertThat(settingsOf(flags(out.toString())).clientIdleTimeout()).isEqualTo(Duration.ofSeconds(75));
    }

    @Test
    void json_listsEveryKeyAndTheFlags(@TempDir Path dir) throws IOException {
        int status =
                run(file(dir, TYPICAL), "--format", "json", "--configmap", "ingress-nginx/ingress-nginx-controller");

        assertThat(status).isZero();
        JsonNode root = JsonMapper.builder().build().readTree(out.toString());
        assertThat(root.get("configMap").asString()).isEqualTo("ingress-nginx/ingress-nginx-controller");
        assertThat(root.get("dropsAnything").asBoolean()).isFalse();
        assertThat(root.get("keys").size()).isEqualTo(10);
        assertThat(root.get("flags").get(0).asString()).isEqualTo("--max-request-body");
    }

    @Test
    void nothingToRead_isExitStatus2(@TempDir Path dir) throws IOException {
        assertThat(run(dir.resolve("absent.yaml").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("cannot read");

        err.getBuffer().setLength(0);
        assertThat(run(file(dir, TYPICAL), "--configmap", "kube-system/other")).isEqualTo(2);
        assertThat(err.toString()).contains("no ConfigMap kube-system/other");
    }

    private int run(String... args) {
        CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("nginx-configmap"));
        all.addAll(List.of(args));
        return commandLine.execute(all.toArray(String[]::new));
    }

    private static String file(Path dir, String yaml) throws IOException {
        Path file = dir.resolve("configmap.yaml");
        Files.writeString(file, yaml);
        return file.toString();
    }

    /** The flags of the report's last line, split as a POSIX shell would (single quotes only, as it prints them). */
    private static List<String> flags(String report) {
        String line = report.substring(report.lastIndexOf("usher run flags: ") + "usher run flags: ".length())
                .strip();
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'') {
                quoted = !quoted;
                inWord = true;
            } else if (c == ' ' && !quoted) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    private static ProxySettings settingsOf(List<String> flags) {
        return configOf(flags).proxy();
    }

    private static ControllerConfig configOf(List<String> flags) {
        RunCommand run = new RunCommand();
        new CommandLine(run).parseArgs(flags.toArray(String[]::new));
        return run.config();
    }
}
