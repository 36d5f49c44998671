package dev.usher.deploy;

import dev.usher.proxy.echo.EchoServer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code usher echo}: one echo origin as a process, for trying Usher by hand or for benchmarks. */
@Command(
        name = "echo",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Run an echo origin: every request is answered with JSON describing what it received.",
            "",
            "Special requests: /health, /status/NNN, ?delay=MS, ?size=BYTES, a request header "
                    + "'X-Echo-Response-Header: Name: value' sets a response header, and /ws echoes WebSocket "
                    + "frames."
        })
final class EchoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", required = true, description = "Port to listen on (0 = any).")
    int port;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            defaultValue = "echo",
            description = "Name reported in every reply; also the service and pod names unless set "
                    + "(default: ${DEFAULT-VALUE}).")
    String name;

    @Option(
            names = "--bind",
            paramLabel = "ADDRESS",
            defaultValue = "127.0.0.1",
            description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(
            names = "--namespace",
            paramLabel = "NAMESPACE",
            defaultValue = "default",
            description = "Namespace reported (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--service", paramLabel = "NAME", description = "Service name reported (default: --name).")
    String service;

    @Option(names = "--pod", paramLabel = "NAME", description = "Pod name reported (default: --name).")
    String pod;

    @Option(names = "--ingress", paramLabel = "NAME", description = "Ingress name reported (default: none).")
    String ingress;

    @Option(
            names = "--response-size",
            paramLabel = "BYTES",
            defaultValue = "0",
            converter = Converters.SizeConverter.class,
            description = "Pad every JSON reply to at least this many bytes (default: ${DEFAULT-VALUE}).")
    long responseSize;

    @Option(
            names = "--event-loops",
            paramLabel = "N",
            defaultValue = "1",
            description = "Event loop threads (default: ${DEFAULT-VALUE}).")
    int eventLoops;

    EchoServer server() {
        return EchoServer.builder()
                .bindAddress(bind)
                .port(port)
                .name(name)
                .namespace(namespace)
                .service(service)
                .pod(pod)
                .ingress(ingress)
                .responseSize(responseSize)
                .eventLoops(eventLoops)
                .build();
    }

    @Override
    public Integer call() throws Exception {
        EchoServer echo = server().start();
        Runtime.getRuntime().addShutdownHook(new Thread(echo::close, "echo-shutdown"));
        spec.commandLine()
                .getOut()
                .printf("echo origin %s listening on http://%s:%d/ (Ctrl-C stops)%n", name, bind, echo.port());
        spec.commandLine().getOut().flush();
        Thread.currentThread().join();
        return 0;
    }
}
