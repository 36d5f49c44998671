package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.proxy.ProxySettings;
import dev.usher.proxy.TrustedProxies;
import dev.usher.proxy.echo.EchoServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code --trusted-proxies} and {@code --proxy-protocol} through the launcher: the flags parsed by {@code usher run},
 * the controller started from them, raw connections that open with a PROXY header, the echo origin reporting what
 * forwarding headers it received.
 */
final class ForwardingFlagsEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path manifests;

    private final List<EchoServer> origins = new ArrayList<>();
    private Controller controller;

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.close();
        }
        origins.forEach(EchoServer::close);
    }

    private static RunCommand parse(String... args) {
        CommandLine.ParseResult result = Main.commandLine().parseArgs(args);
        return (RunCommand) result.subcommand().commandSpec().userObject();
    }

    private void startUsher(String... flags) throws IOException {
        ExampleOrigins.serve(manifests, origins);
        controller = ExampleOrigins.startUsher(manifests, flags);
    }

    /** Writes {@code bytes} on a fresh connection and returns everything that comes back until the close. */
    private String send(String bytes) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", controller.httpPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (SocketException reset) {
            return "<<reset>>";
        }
    }

    /** The headers the echo origin received, from a {@code 200} response. */
    private static JsonNode originHeaders(String response) {
        assertThat(response).startsWith("HTTP/1.1 200");
        return JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4))
                .get("headers");
    }

    private static List<String> values(JsonNode headers, String name) {
        List<String> out = new ArrayList<>();
        if (headers.has(name)) {
            headers.get(name).forEach(v -> out.add(v.asString()));
        }
        return out;
    }

    @Test
    void run_trustedProxiesAndProxyProtocol_clientComesFromThePROXYHeaderAndTheTrustedBalancersChain()
            throws Exception {
        startUsher("--trusted-proxies", "10.0.0.0/8,fd00::/8", "--proxy-protocol");
        String request = "GET / HTTP/1.1\r\nHost: alpaca.example.com\r\nX-Forwarded-For: 203.0.113.9\r\n"
                + "X-Forwarded-Proto: https\r\nConnection: close\r\n\r\n";

        JsonNode viaTrustedBalancer = originHeaders(send("PROXY TCP4 10.0.0.5 10.0.0.1 40000 80\r\n" + request));
        JsonNode fromUntrustedSource = originHeaders(send("PROXY TCP4 198.51.100.1 10.0.0.1 40000 80\r\n" + request));
        String withoutHeader = send(request);

        assertThat(values(viaTrustedBalancer, "x-real-ip")).containsExactly("203.0.113.9");
        assertThat(values(viaTrustedBalancer, "x-forwarded-for")).containsExactly("203.0.113.9, 10.0.0.5");
        assertThat(values(viaTrustedBalancer, "x-forwarded-proto")).containsExactly("https");
        assertThat(values(fromUntrustedSource, "x-real-ip")).containsExactly("198.51.100.1");
        assertThat(values(fromUntrustedSource, "x-forwarded-for")).containsExactly("198.51.100.1");
        assertThat(values(fromUntrustedSource, "x-forwarded-proto")).containsExactly("http");
        assertThat(withoutHeader).doesNotContain("HTTP/1.1");
    }

    @Test
    void run_withoutTheFlags_clientForwardingHeadersAreReplacedByThePeer() throws Exception {
        startUsher();

        JsonNode headers = originHeaders(send("GET / HTTP/1.1\r\nHost: alpaca.example.com\r\n"
                + "X-Forwarded-For: 203.0.113.9\r\nForwarded: for=203.0.113.9\r\nConnection: close\r\n\r\n"));

        assertThat(values(headers, "x-forwarded-for")).containsExactly("127.0.0.1");
        assertThat(values(headers, "x-real-ip")).containsExactly("127.0.0.1");
        assertThat(values(headers, "forwarded")).isEmpty();
    }

    @Test
    void flags_mapOntoProxySettings_andHelpShowsTheDefault() {
        ProxySettings set = parse("run", "--trusted-proxies", "10.0.0.0/8, 2001:db8::/32", "--proxy-protocol")
                .config()
                .proxy();
        ProxySettings unset = parse("run").config().proxy();
        StringWriter help = new StringWriter();
        CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(help, true));
        commandLine.execute("run", "--help");

        assertThat(set.trustedProxies()).isEqualTo(TrustedProxies.parse("10.0.0.0/8,2001:db8::/32"));
        assertThat(set.proxyProtocol()).isTrue();
        assertThat(unset.trustedProxies()).isEqualTo(TrustedProxies.none());
        assertThat(unset.proxyProtocol()).isFalse();
        assertThat(help.toString().replaceAll("\\s+", " "))
                .contains("--trusted-proxies=CIDR[,CIDR...]", "(default: none)", "--proxy-protocol");
    }

    @Test
    void badTrustedProxy_failsWithTheReason() {
        StringWriter err = new StringWriter();
        CommandLine commandLine = Main.commandLine();
        commandLine.setErr(new PrintWriter(err, true));

        int code = commandLine.execute("run", "--manifests", "m", "--trusted-proxies", "10.0.0.0/8,lb.example.com");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("'lb.example.com' is not an IP address or CIDR block");
    }
}
