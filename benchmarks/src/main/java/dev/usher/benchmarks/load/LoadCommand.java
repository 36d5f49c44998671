package dev.usher.benchmarks.load;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code usher-bench load}: one load run, against a local Usher the harness starts or against any URL. */
@Command(
        name = "load",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Run load against Usher (started as a child process on generated manifests, with in-process "
                    + "echo origins) or, with --target, against any HTTP/1.1 URL.",
            "Prints progress each second, then req/s, latency percentiles, errors by kind, CPU per 1,000 requests "
                    + "and peak RSS of the measured process; writes results.json and latency.svg."
        })
final class LoadCommand implements Callable<Integer> {

    @Option(names = "--target", paramLabel = "URL", description = "Load this URL instead of starting Usher.")
    URI target;

    @Option(names = "--host", paramLabel = "HOST", description = "Host header for --target (default: the URL's).")
    String host;

    @Option(
            names = "--pid",
            paramLabel = "PID",
            defaultValue = "0",
            description = "Process to measure CPU and RSS of, for --target.")
    long pid;

    @Option(names = "--label", paramLabel = "NAME", description = "Name of the target in reports.")
    String label;

    @Mixin
    LoadOptions load = new LoadOptions();

    @Mixin
    UsherOptions usher = new UsherOptions();

    @Override
    public Integer call() throws Exception {
        Path out = load.outputDir("load");
        Map<String, Object> settings = new LinkedHashMap<>(load.describe());
        LoadResult result;
        if (target != null) {
            InetSocketAddress address =
                    new InetSocketAddress(target.getHost(), target.getPort() < 0 ? 80 : target.getPort());
            String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
            if (target.getRawQuery() != null) {
                path += "?" + target.getRawQuery();
            }
            List<RequestTarget> requests =
                    load.sized(List.of(new RequestTarget(host != null ? host : target.getRawAuthority(), path)));
            String name = label != null ? label : target.getRawAuthority();
            settings.put("target", target.toString());
            result = MeasuredProcess.run(
                    name,
                    pid,
                    load.settings(address, requests, load.connections),
                    Progress.printingTo(System.out, name));
        } else {
            settings.putAll(usher.describe());
            try (LocalSetup setup = LocalSetup.start(usher, load, out)) {
                System.out.printf(
                        "usher pid %d on http://127.0.0.1:%d (admin :%d), %d route(s) to %d origin(s)%n",
                        setup.usher().pid(),
                        setup.usher().httpPort(),
                        setup.usher().adminPort(),
                        setup.requests().size(),
                        usher.origins);
                String name = label != null ? label : "usher";
                result = MeasuredProcess.run(
                        name,
                        setup.usher().pid(),
                        load.settings(setup.address(), setup.requests(), load.connections),
                        Progress.printingTo(System.out, name));
                long originConnections = setup.originConnectionsAccepted();
                settings.put("originConnectionsAccepted", originConnections);
                System.out.printf("origin connections opened by Usher (warm-up included): %d%n", originConnections);
            }
        }
        Reports.print(System.out, result);
        Reports.write(out, "usher-bench load", settings, List.of(result), Map.of());
        System.out.println("wrote " + out.resolve("results.json") + " and " + out.resolve("latency.svg"));
        return result.measurement().errors().total() == 0 ? 0 : 1;
    }
}
