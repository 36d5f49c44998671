package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.usher.proxy.ProxySettings;
import dev.usher.proxy.echo.EchoServer;
import dev.usher.routing.BackendRef;
import dev.usher.routing.HeaderEdit;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

final class CommandLineTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(String... args) {
        CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    private static <T> T parse(Class<T> type, String... args) {
        CommandLine.ParseResult result = Main.commandLine().parseArgs(args);
        return type.cast(result.subcommand().commandSpec().userObject());
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "echo", "demo"})
    void help_onEveryCommand_printsUsageAndExitsZero(String command) {
        int code = execute(command, "--help");

        assertThat(code).isZero();
        assertThat(out.toString())
                .contains("Usage: usher " + command)
                .contains("--help")
                .contains("--version");
    }

    @Test
    void help_ofRun_showsEveryFlagWithTheDataPlanesRealDefaults() {
        execute("run", "--help");
        ProxySettings defaults = ProxySettings.defaults();

        assertThat(out.toString().replaceAll("\\s+", " "))
                .contains(
                        "--manifests=DIR",
                        "--http-port=PORT",
                        "--https-port=PORT",
                        "--admin-port=PORT",
                        "--bind",
                        "--ingress-class",
                        "--controller-name",
                        "--watch-ingress-without-class",
                        "--default-backend=NAMESPACE/SERVICE:PORT",
                        "--default-ssl-certificate",
                        "--access-log")
                .contains(
                        "(default: 8080)",
                        "(default: 8443)",
                        "(default: 9090)",
                        "(default: usher)",
                        "(default: usher.dev/ingress-controller)")
                .contains("Origin TCP connect timeout (default: " + Converters.format(defaults.connectTimeout()) + ")")
                .contains("(default: " + Converters.flag(defaults.accessLog()) + ")")
                .contains("--max-request-body=BYTES Largest request body, 0 = unlimited; larger gets 413 (default: "
                        + defaults.maxRequestBodyBytes())
                .contains("--client-body-timeout=DURATION", "--client-body-temp-dir=DIR");
    }

    @Test
    void version_printsTheProjectVersion() {
        int code = execute("--version");

        assertThat(code).isZero();
        assertThat(out.toString()).startsWith("usher 0.").doesNotContain("${");
    }

    @Test
    void noCommand_printsUsageAndFails() {
        int code = execute();

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("run", "echo", "demo");
    }

    @Test
    void run_disableSvcExternalName_reachesTheWatcherSettings() {
        assertThat(parse(RunCommand.class, "run").config().watcher().externalNameServices())
                .isTrue();
        assertThat(parse(RunCommand.class, "run", "--disable-svc-external-name")
                        .config()
                        .watcher()
                        .externalNameServices())
                .isFalse();
    }

    @Test
    void run_globalAuthFlags_reachTheWatcherSettings_asTheAuthAnnotations() {
        ControllerConfig config = parse(
                        RunCommand.class,
                        "run",
                        "--global-auth-url",
                        "http://auth.example/check",
                        "--global-auth-method",
                        "POST",
                        "--global-auth-signin",
                        "https://login.example/start",
                        "--global-auth-response-headers",
                        "X-User, X-Email",
                        "--global-auth-cache-key",
                        "$http_authorization",
                        "--global-auth-cache-duration",
                        "200 1m")
                .config();

        assertThat(config.watcher().globalAuth().annotations())
                .containsEntry("nginx.ingress.kubernetes.io/auth-url", "http://auth.example/check")
                .containsEntry("nginx.ingress.kubernetes.io/auth-method", "POST")
                .containsEntry("nginx.ingress.kubernetes.io/auth-signin", "https://login.example/start")
                .containsEntry("nginx.ingress.kubernetes.io/auth-response-headers", "X-User, X-Email")
                .containsEntry("nginx.ingress.kubernetes.io/auth-cache-key", "$http_authorization")
                .containsEntry("nginx.ingress.kubernetes.io/auth-cache-duration", "200 1m")
                .hasSize(6);
        assertThat(parse(RunCommand.class, "run").config().watcher().globalAuth())
                .isNull();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "--global-auth-url|ftp://auth.example/|--global-auth-url: 'ftp://auth.example/' expected an absolute",
                "--global-auth-method|GIT|--global-auth-method: 'GIT' expected an HTTP method",
                "--global-auth-signin|https://login.example/|--global-auth-signin needs --global-auth-url",
            })
    void run_invalidGlobalAuthFlag_failsAtStartUp_withTheReason(String flag, String value, String message) {
        List<String> args = new java.util.ArrayList<>(List.of("run", "--manifests", "nowhere", flag, value));
        if (!flag.equals("--global-auth-url") && !flag.equals("--global-auth-signin")) {
            args.addAll(List.of("--global-auth-url", "http://auth.example/check"));
        }
        int code = execute(args.toArray(String[]::new));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains(message);
    }

    @Test
    void check_takesTheGlobalAuthFlagsToo_withTheSameChecks() {
        int code = execute("check", "--manifests", "nowhere", "--global-auth-signin", "https://login.example/");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--global-auth-signin needs --global-auth-url");
    }

    @Test
    void run_globalAllowedResponseHeaders_reachTheWatcherSettings_inLowerCase_commaSeparatedOrRepeated() {
        assertThat(parse(RunCommand.class, "run").config().watcher().allowedResponseHeaders())
                .isEmpty();
        assertThat(parse(
                                RunCommand.class,
                                "run",
                                "--global-allowed-response-headers",
                                "X-Frame-Options, X-Team",
                                "--global-allowed-response-headers",
                                "Cache_Control")
                        .config()
                        .watcher()
                        .allowedResponseHeaders())
                .containsExactlyInAnyOrder("x-frame-options", "x-team", "cache_control");
        execute("run", "--help");
        assertThat(out.toString().replaceAll("\\s+", " "))
                .contains("--global-allowed-response-headers=LIST")
                .contains("(ingress-nginx's global-allowed-response-headers)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "check"})
    void globalAllowedResponseHeaders_thatIsNotAHeaderName_failsAtStartUp(String command) {
        int code = execute(command, "--manifests", "nowhere", "--global-allowed-response-headers", "X-Ok,X Bad");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--global-allowed-response-headers: 'X?Bad' is not a header name");
    }

    @Test
    void run_withoutManifests_isClusterMode_withStatusWrittenByTheElectedReplica() {
        ControllerConfig config = parse(
                        RunCommand.class,
                        "run",
                        "--watch-namespace",
                        "shop",
                        "--publish-service",
                        "usher-system/usher",
                        "--publish-status-address",
                        "203.0.113.7,lb.example.net",
                        "--election-id",
                        "usher-lease")
                .config();

        assertThat(config.manifests()).isNull();
        assertThat(config.watchNamespace()).isEqualTo("shop");
        assertThat(config.status().publishService()).isEqualTo("usher-system/usher");
        assertThat(config.status().publishStatusAddresses()).containsExactly("203.0.113.7", "lb.example.net");
        assertThat(config.status().electionId()).isEqualTo("usher-lease");
        assertThat(config.status().identity()).isNotBlank();
    }

    @Test
    void run_noUpdateStatus_writesNoStatus() {
        assertThat(parse(RunCommand.class, "run").config().status()).isNotNull();
        assertThat(parse(RunCommand.class, "run", "--no-update-status").config().status())
                .isNull();
    }

    @Test
    void run_warmupRounds_defaultsToNone_andANegativeCountFailsBeforeAnythingStarts() {
        assertThat(parse(RunCommand.class, "run").warmupRounds).isZero();
        assertThat(parse(RunCommand.class, "run", "--warmup-rounds", "100").warmupRounds)
                .isEqualTo(100);

        int code = execute("run", "--warmup-rounds", "-1", "--http-port", "0", "--admin-port", "0");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString())
                .contains("--warmup-rounds must be 0 or more, not -1")
                .doesNotContain("\tat ", "warm-up:");
    }

    @Test
    void run_badPublishService_failsWithOneLine() {
        int code = execute("run", "--publish-service", "just-a-name", "--http-port", "0", "--admin-port", "0");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString())
                .contains("publishService must be NAMESPACE/NAME")
                .doesNotContain("\tat ");
    }

    @Test
    void run_missingManifestsFolder_failsWithOneLineNamingIt() {
        int code = assertTimeoutPreemptively(
                Duration.ofSeconds(60),
                () -> execute(
                        "run",
                        "--manifests",
                        "no/such/folder",
                        "--http-port",
                        "0",
                        "--admin-port",
                        "0",
                        "--disable-https"));

        assertThat(code).isEqualTo(1);
        assertThat(err.toString())
                .startsWith("usher run: ")
                .contains("no/such/folder")
                .doesNotContain("\tat ");
    }

    @Test
    void run_adminPortInUse_failsWithOneLineAndLeavesNothingListening(@TempDir Path manifests) throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int code = assertTimeoutPreemptively(
                    Duration.ofSeconds(60),
                    () -> execute(
                            "run",
                            "--manifests",
                            manifests.toString(),
                            "--bind",
                            "127.0.0.1",
                            "--http-port",
                            "0",
                            "--disable-https",
                            "--admin-port",
                            String.valueOf(taken.getLocalPort())));

            assertThat(code).isEqualTo(1);
            assertThat(err.toString()).contains("admin server cannot bind 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void run_defaults_matchTheDocumentedPortsClassesAndProxySettings() {
        ControllerConfig config =
                parse(RunCommand.class, "run", "--manifests", "some/dir").config();

        assertThat(config.httpPort()).isEqualTo(8080);
        assertThat(config.httpsPort()).isEqualTo(8443);
        assertThat(config.adminPort()).isEqualTo(9090);
        assertThat(config.bindAddress()).isEqualTo("0.0.0.0");
        assertThat(config.adminBindAddress()).isEqualTo("0.0.0.0");
        assertThat(config.manifests())
                .isEqualTo(Path.of("some/dir").toAbsolutePath().normalize());
        assertThat(config.watcher().ingressClass()).isEqualTo("usher");
        assertThat(config.watcher().controllerName()).isEqualTo("usher.dev/ingress-controller");
        assertThat(config.watcher().watchIngressWithoutClass()).isFalse();
        assertThat(config.watcher().defaultBackend()).isNull();
        assertThat(config.proxy()).isEqualTo(ProxySettings.defaults());
        assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.shutdownDelay()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void run_flags_mapOntoTheConfigAndProxySettings() {
        ControllerConfig config = parse(
                        RunCommand.class,
                        "run",
                        "--manifests",
                        "m",
                        "--http-port",
                        "0",
                        "--https-port",
                        "0",
                        "--admin-port",
                        "0",
                        "--bind",
                        "127.0.0.1",
                        "--admin-bind",
                        "127.0.0.2",
                        "--ingress-class",
                        "other",
                        "--controller-name",
                        "example.com/other",
                        "--watch-ingress-without-class",
                        "--default-backend",
                        "kube-system/fallback:http",
                        "--default-ssl-certificate",
                        "ns/wildcard",
                        "--connect-timeout",
                        "250ms",
                        "--response-timeout",
                        "2m",
                        "--client-idle-timeout",
                        "PT90S",
                        "--request-header-timeout",
                        "3s",
                        "--tunnel-idle-timeout",
                        "1h",
                        "--pool-idle-timeout",
                        "30s",
                        "--max-connections-per-endpoint",
                        "10",
                        "--max-idle-per-endpoint",
                        "2",
                        "--max-initial-line-length",
                        "4k",
                        "--max-header-size",
                        "32k",
                        "--max-request-body",
                        "10m",
                        "--connect-attempts",
                        "5",
                        "--load-balancing",
                        "least-request",
                        "--access-log",
                        "json",
                        "--event-loops",
                        "3",
                        "--drain-timeout",
                        "20s",
                        "--client-body-timeout",
                        "15s",
                        "--client-body-buffer-size",
                        "8k",
                        "--client-body-temp-dir",
                        "/var/tmp/bodies",
                        "--client-body-temp-max",
                        "2g",
                        "--shutdown-delay",
                        "0",
                        "--zone",
                        "eu-west-1a")
                .config();

        assertThat(config.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(config.adminBindAddress()).isEqualTo("127.0.0.2");
        assertThat(config.httpPort()).isZero();
        assertThat(config.httpsPort()).isZero();
        assertThat(config.watcher().ingressClass()).isEqualTo("other");
        assertThat(config.watcher().controllerName()).isEqualTo("example.com/other");
        assertThat(config.watcher().watchIngressWithoutClass()).isTrue();
        assertThat(config.watcher().defaultBackend()).isEqualTo(BackendRef.parse("kube-system/fallback:http"));
        assertThat(config.defaultSslCertificate()).isEqualTo("ns/wildcard");
        assertThat(config.eventLoops()).isEqualTo(3);
        assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.shutdownDelay()).isZero();
        assertThat(config.watcher().zone()).isEqualTo("eu-west-1a");
        ProxySettings proxy = config.proxy();
        assertThat(proxy.connectTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(proxy.responseTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(proxy.clientIdleTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(proxy.requestHeaderTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(proxy.tunnelIdleTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(proxy.poolIdleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(proxy.maxConnectionsPerEndpoint()).isEqualTo(10);
        assertThat(proxy.maxIdlePerEndpoint()).isEqualTo(2);
        assertThat(proxy.maxInitialLineLength()).isEqualTo(4096);
        assertThat(proxy.maxHeaderSize()).isEqualTo(32 * 1024);
        assertThat(proxy.maxRequestBodyBytes()).isEqualTo(10L << 20);
        assertThat(proxy.connectAttempts()).isEqualTo(5);
        assertThat(proxy.loadBalancing()).isEqualTo(ProxySettings.LoadBalancing.LEAST_REQUEST);
        assertThat(proxy.accessLog()).isEqualTo(ProxySettings.AccessLogFormat.JSON);
        assertThat(proxy.clientBodyTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(proxy.clientBodyBufferSize()).isEqualTo(8 * 1024);
        assertThat(proxy.clientBodyTempDir()).isEqualTo(java.nio.file.Path.of("/var/tmp/bodies"));
        assertThat(proxy.clientBodyTempMaxBytes()).isEqualTo(2L << 30);
    }

    @Test
    void run_outlierFlags_mapOntoOneOutlierDetection() {
        ControllerConfig config = parse(
                        RunCommand.class,
                        "run",
                        "--manifests",
                        "m",
                        "--outlier-consecutive-failures",
                        "3",
                        "--outlier-base-ejection-time",
                        "10s",
                        "--outlier-max-ejection-percent",
                        "50")
                .config();

        assertThat(config.proxy().outlierDetection())
                .isEqualTo(new dev.usher.proxy.OutlierDetection(3, Duration.ofSeconds(10), 50));
    }

    @Test
    void run_oneOutlierFlag_keepsTheOtherDefaults() {
        ControllerConfig config = parse(
                        RunCommand.class, "run", "--manifests", "m", "--outlier-consecutive-failures", "0")
                .config();

        assertThat(config.proxy().outlierDetection())
                .isEqualTo(new dev.usher.proxy.OutlierDetection(0, Duration.ofSeconds(30), 10));
    }

    @Test
    void run_transport_defaultsToAuto_andTakesIoUringByName() {
        assertThat(parse(RunCommand.class, "run", "--manifests", "m").config().transport())
                .isEqualTo(dev.usher.proxy.Transport.AUTO);
        assertThat(parse(RunCommand.class, "run", "--manifests", "m", "--transport", "io_uring")
                        .config()
                        .transport())
                .isEqualTo(dev.usher.proxy.Transport.IO_URING);
    }

    @Test
    void run_disableHttps_meansNoHttpsListener() {
        ControllerConfig config = parse(RunCommand.class, "run", "--manifests", "m", "--disable-https")
                .config();

        assertThat(config.https()).isFalse();
        assertThat(config.httpsPort()).isEqualTo(-1);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "--connect-timeout|soon|is not a duration",
                "--max-request-body|lots|is not a size",
                "--access-log|xml|is not one of text, json, off",
                "--load-balancing|random|is not one of round-robin, least-request",
                "--transport|kqueue|unknown transport 'kqueue': expected one of auto, io_uring, epoll, nio",
                "--default-backend|just-a-service|is not NAMESPACE/SERVICE:PORT",
                "--http-port|http|'http' is not an int"
            })
    void run_badFlagValue_failsWithTheReason(String flag, String value, String reason) {
        int code = execute("run", "--manifests", "m", flag, value);

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains(reason);
    }

    @Test
    void run_headerFlags_areRepeatable_oneWholeFieldEach() {
        ProxySettings proxy = parse(
                        RunCommand.class,
                        "run",
                        "--manifests",
                        "m",
                        "--add-header",
                        "Permissions-Policy: geolocation=(), camera=()",
                        "--add-header",
                        "Server:",
                        "--proxy-set-header",
                        "X-Env: prod")
                .config()
                .proxy();

        assertThat(proxy.addHeaders())
                .containsExactly(
                        new HeaderEdit("permissions-policy", "geolocation=(), camera=()", HeaderEdit.Mode.SET),
                        new HeaderEdit("server", null, HeaderEdit.Mode.CLEAR));
        assertThat(proxy.proxySetHeaders()).containsExactly(new HeaderEdit("x-env", "prod", HeaderEdit.Mode.SET));
        assertThat(ProxySettings.defaults().addHeaders()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "--add-header|X-Frame-Options|expected 'Name: value'",
                "--add-header|Content-Length: 0|the proxy's own field",
                "--add-header|Bad Name: x|is not a field name",
                "--proxy-set-header|Host: elsewhere|the origin's Host is routing's"
            })
    void run_badHeaderFlag_failsAtStartUp_withTheReason(String flag, String value, String reason) {
        int code = execute(
                "run", "--manifests", "m", "--http-port", "0", "--admin-port", "0", "--disable-https", flag, value);

        assertThat(code).isNotZero();
        assertThat(err.toString()).contains(reason);
    }

    @Test
    void run_outOfRangeSetting_failsWithTheRecordsMessage() {
        int code = execute(
                "run",
                "--manifests",
                "m",
                "--http-port",
                "0",
                "--admin-port",
                "0",
                "--disable-https",
                "--connect-attempts",
                "0");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("connectAttempts must be >= 1");
    }

    @Test
    void echo_flags_configureTheOrigin() {
        EchoCommand echo = parse(
                EchoCommand.class,
                "echo",
                "--port",
                "0",
                "--name",
                "alpaca",
                "--namespace",
                "zoo",
                "--response-size",
                "1k");

        assertThat(echo.port).isZero();
        assertThat(echo.name).isEqualTo("alpaca");
        assertThat(echo.bind).isEqualTo("127.0.0.1");
        assertThat(echo.namespace).isEqualTo("zoo");
        assertThat(echo.responseSize).isEqualTo(1024);
    }

    @Test
    void echo_server_answersAsTheNamedOrigin() throws Exception {
        EchoCommand echo = parse(EchoCommand.class, "echo", "--port", "0", "--name", "alpaca", "--pod", "alpaca-7");

        try (EchoServer server = echo.server().start()) {
            RawHttp.Response response = RawHttp.get(server.port(), "alpaca.example.com", "/");

            assertThat(response.body()).contains("\"service\":\"alpaca\"", "\"pod\":\"alpaca-7\"");
        }
    }

    @Test
    void echo_withoutPort_failsNamingTheMissingFlag() {
        int code = execute("echo", "--name", "alpaca");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required option: '--port=PORT'");
    }

    @Test
    void demo_defaults_bindLoopbackOnTheDocumentedPorts() {
        ControllerConfig config = parse(DemoCommand.class, "demo")
                .config()
                .manifests(Path.of("x"))
                .build();

        assertThat(config.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(config.httpPort()).isEqualTo(8080);
        assertThat(config.httpsPort()).isEqualTo(8443);
        assertThat(config.adminPort()).isEqualTo(9090);
    }

    @Test
    void run_requestHygieneFlags_mapOntoProxySettings() {
        ProxySettings proxy = parse(
                        RunCommand.class,
                        "run",
                        "--manifests",
                        "m",
                        "--enable-underscores-in-headers",
                        "--upgrade-protocols",
                        "websocket, Foo")
                .config()
                .proxy();

        assertThat(proxy.underscoresInHeaders()).isTrue();
        assertThat(proxy.upgradeProtocols()).containsExactlyInAnyOrder("websocket", "foo");
        assertThat(ProxySettings.defaults().upgradeProtocols()).containsExactly("websocket");
        assertThat(ProxySettings.defaults().underscoresInHeaders()).isFalse();
    }

    @Test
    void proxyFlags_coverEveryProxySettingOnceAndNothingElse() {
        List<String> components = Arrays.stream(ProxySettings.class.getRecordComponents())
                .map(java.lang.reflect.RecordComponent::getName)
                .toList();
        List<String> flagged =
                ProxyOptions.FLAGS.stream().map(ProxyFlag::setting).toList();

        assertThat(flagged).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(components);
        assertThat(ProxyOptions.FLAGS.stream().map(ProxyFlag::name).toList()).doesNotHaveDuplicates();
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "demo"})
    void proxyFlags_areOptionsOfTheCommand_withTheDefaultOfProxySettingsInHelp(String command) {
        CommandLine sub = Main.commandLine().getSubcommands().get(command);
        execute(command, "--help");
        String help = out.toString().replaceAll("\\s+", " ");
        ProxySettings defaults = ProxySettings.defaults();

        for (ProxyFlag<?> flag : ProxyOptions.FLAGS) {
            OptionSpec option = sub.getCommandSpec().findOption(flag.name());
            assertThat(option).as(flag.name()).isNotNull();
            assertThat(help).contains(flag.name());
            if (flag.description().contains("${DEFAULT-VALUE}")) {
                // The text shown, parsed the way the flag is, must give back the record's default.
                String shown = flag.defaultText();
                assertThat(help).contains("default: " + shown);
                CommandLine.ParseResult parsed = Main.commandLine().parseArgs(command, flag.name() + "=" + shown);
                Object userObject = parsed.subcommand().commandSpec().userObject();
                ProxySettings settings = userObject instanceof RunCommand run
                        ? run.proxy.toSettings()
                        : ((DemoCommand) userObject).proxy.toSettings();
                assertThat(flag.valueIn(settings)).as(flag.name()).isEqualTo(flag.valueIn(defaults));
            }
        }
    }

    @Test
    void proxyFlags_eachSetsItsOwnSetting() {
        Map<String, String> samples = Map.ofEntries(
                Map.entry("--connect-timeout", "7s"),
                Map.entry("--response-timeout", "7s"),
                Map.entry("--client-idle-timeout", "7s"),
                Map.entry("--request-header-timeout", "7s"),
                Map.entry("--tunnel-idle-timeout", "7s"),
                Map.entry("--pool-idle-timeout", "7s"),
                Map.entry("--max-connections-per-endpoint", "7"),
                Map.entry("--max-idle-per-endpoint", "7"),
                Map.entry("--max-initial-line-length", "7k"),
                Map.entry("--max-header-size", "7k"),
                Map.entry("--max-request-body", "7k"),
                Map.entry("--connect-attempts", "7"),
                Map.entry("--load-balancing", "least-request"),
                Map.entry("--access-log", "off"),
                Map.entry("--hsts", "max-age=7"),
                Map.entry("--trusted-proxies", "10.0.0.0/8"),
                Map.entry("--upgrade-protocols", "foo"),
                Map.entry("--client-body-timeout", "7s"),
                Map.entry("--client-body-buffer-size", "7k"),
                Map.entry("--client-body-temp-dir", "/var/tmp/x"),
                Map.entry("--client-body-temp-max", "7k"),
                Map.entry("--outlier-consecutive-failures", "7"),
                Map.entry("--outlier-base-ejection-time", "7s"),
                Map.entry("--outlier-max-ejection-percent", "7"),
                Map.entry("--http2-max-concurrent-streams", "7"),
                Map.entry("--proxy-next-upstream", "error,http_502"),
                Map.entry("--proxy-next-upstream-tries", "7"),
                Map.entry("--proxy-next-upstream-timeout", "7s"),
                Map.entry("--retry-budget-percent", "7"),
                Map.entry("--retry-budget-min-per-second", "7"),
                Map.entry("--limit-req-status-code", "429"),
                Map.entry("--limit-conn-status-code", "429"),
                Map.entry("--mirror-max-in-flight", "7"),
                Map.entry("--add-header", "X-Seven: 7"),
                Map.entry("--proxy-set-header", "X-Seven: 7"));
        ProxySettings defaults = ProxySettings.defaults();

        for (ProxyFlag<?> flag : ProxyOptions.FLAGS) {
            String[] args = flag.label() == null
                    ? new String[] {"run", flag.name()}
                    : new String[] {"run", flag.name(), samples.get(flag.name())};
            ProxySettings settings = parse(RunCommand.class, args).proxy.toSettings();

            List<String> changed = Arrays.stream(ProxySettings.class.getRecordComponents())
                    .map(java.lang.reflect.RecordComponent::getName)
                    .filter(name -> !java.util.Objects.equals(valueOf(settings, name), valueOf(defaults, name)))
                    .collect(Collectors.toList());
            assertThat(changed).as(flag.name()).containsExactly(flag.setting());
        }
    }

    private static Object valueOf(ProxySettings settings, String component) {
        try {
            return ProxyFlag.component(component).getAccessor().invoke(settings);
        } catch (ReflectiveOperationException e) {
            throw new LinkageError(e.getMessage(), e);
        }
    }
}
