package dev.usher.deploy;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code usher demo}: the book's Ingress chapter on one machine, no cluster needed. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Start three echo origins (be-default, alpaca, bandicoot) on loopback and Usher in front of "
                    + "them, routed by the book's simple, host and path Ingresses; print what to try; run until Ctrl-C."
        })
final class DemoCommand implements Callable<Integer> {

    CommandSpec spec;

    /** The data-plane flags, registered programmatically (see {@link ProxyOptions}). */
    final ProxyOptions proxy = new ProxyOptions();

    @Spec
    void spec(CommandSpec spec) {
        this.spec = spec;
        proxy.addTo(spec);
    }

    @Mixin
    ListenerPorts ports = new ListenerPorts();

    @Option(
            names = "--bind",
            paramLabel = "ADDRESS",
            defaultValue = "127.0.0.1",
            description = "Address Usher's listeners bind (default: ${DEFAULT-VALUE}).")
    String bind;

    ControllerConfig.Builder config() {
        return ports.applyTo(ControllerConfig.builder())
                .bindAddress(bind)
                .proxy(proxy.toSettings())
                .drainTimeout(Duration.ofSeconds(5));
    }

    @Override
    public Integer call() throws Exception {
        Demo demo = Demo.start(config(), spec.commandLine().getOut());
        Runtime.getRuntime().addShutdownHook(new Thread(demo::close, "usher-demo-shutdown"));
        Thread.currentThread().join();
        return 0;
    }
}
