package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import tools.jackson.databind.json.JsonMapper;

/** {@code usher demo} in-process on free ports, answering the book's curl examples. */
final class DemoTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final StringWriter printed = new StringWriter();
    private Demo demo;

    @BeforeEach
    void start() throws IOException {
        DemoCommand command = (DemoCommand) Main.commandLine()
                .parseArgs("demo", "--http-port", "0", "--https-port", "0", "--admin-port", "0")
                .subcommand()
                .commandSpec()
                .userObject();
        demo = Demo.start(command.config(), new PrintWriter(printed, true));
    }

    @AfterEach
    void stop() {
        demo.close();
    }

    private String service(String host, String target) throws IOException {
        RawHttp.Response response = RawHttp.get(demo.controller().httpPort(), host, target);
        assertThat(response.status()).isEqualTo(200);
        return JSON.readTree(response.body()).get("service").asString();
    }

    @Test
    void demo_answersTheBooksCurlExamples() throws IOException {
        assertThat(service("alpaca.example.com", "/")).isEqualTo("alpaca");
        assertThat(service("bandicoot.example.com", "/")).isEqualTo("bandicoot");
        assertThat(service("bandicoot.example.com", "/a/")).isEqualTo("alpaca");
        assertThat(service("unknown.example.com", "/")).isEqualTo("be-default");
    }

    @Test
    void demo_answersOverHttpsWithTheDefaultCertificate() throws Exception {
        RawHttp.Response response = RawHttp.getTls(demo.controller().httpsPort(), "alpaca.example.com", "/");

        assertThat(response.status()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).get("service").asString()).isEqualTo("alpaca");
    }

    @Test
    void demo_printsHostsLineCurlCommandsAndAdminUrlsWithTheActualPorts() {
        int http = demo.controller().httpPort();
        int admin = demo.controller().adminPort();

        assertThat(printed.toString())
                .contains("127.0.0.1 alpaca.example.com bandicoot.example.com")
                .contains("curl -H 'Host: alpaca.example.com' http://127.0.0.1:" + http + "/")
                .contains("curl --resolve alpaca.example.com:" + http + ":127.0.0.1 http://alpaca.example.com:" + http
                        + "/")
                .contains("http://127.0.0.1:" + admin + "/readyz", "http://127.0.0.1:" + admin + "/debug/routes")
                .contains("https://127.0.0.1:" + demo.controller().httpsPort());
    }

    @Test
    void close_stopsEverythingAndDeletesTheTemporaryManifests() {
        Path manifests = demo.manifests();
        assertThat(manifests).isDirectory();

        demo.close();

        assertThat(Files.exists(manifests)).isFalse();
        assertThat(demo.controller()).isNull();
    }

    @Test
    void demoCommand_helpParsesInProcess() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out, true));

        assertThat(commandLine.execute("demo", "--help")).isZero();
        assertThat(out.toString()).contains("be-default", "alpaca", "bandicoot");
    }
}
