package dev.usher.deploy;

import dev.usher.proxy.echo.EchoServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** The bundled examples, served for real: one echo origin per example Service and a manifests folder pointing at them. */
final class ExampleOrigins {

    private ExampleOrigins() {}

    /**
     * Starts an echo origin named after each example Service (added to {@code origins}, for the test to close),
     * copies the example manifests into {@code manifests} and writes Endpoints to those origins.
     */
    static void serve(Path manifests, List<EchoServer> origins) throws IOException {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String name : Examples.FIXED_PORTS.keySet()) {
            EchoServer origin = EchoServer.builder().name(name).build().start();
            origins.add(origin);
            ports.put(name, origin.port());
        }
        Examples.copyTo(manifests);
        Examples.writeEndpoints(manifests, ports);
    }

    /**
     * Starts the controller as {@code usher run} on {@code manifests}, HTTP only on an ephemeral loopback port (admin
     * too), no Ingress status written, with {@code flags} added: how the launcher end-to-end tests run Usher.
     */
    static Controller startUsher(Path manifests, String... flags) throws IOException {
        List<String> args = new ArrayList<>(List.of(
                "run",
                "--manifests",
                manifests.toString(),
                "--bind",
                "127.0.0.1",
                "--http-port",
                "0",
                "--admin-port",
                "0",
                "--disable-https",
                "--no-update-status"));
        if (!List.of(flags).contains("--shutdown-delay")) {
            args.addAll(List.of("--shutdown-delay", "0")); // a pod's load-balancer grace is 15 s of nothing here
        }
        args.addAll(List.of(flags));
        CommandLine.ParseResult parsed = Main.commandLine().parseArgs(args.toArray(String[]::new));
        return Controller.start(((RunCommand) parsed.subcommand().commandSpec().userObject()).config());
    }
}
