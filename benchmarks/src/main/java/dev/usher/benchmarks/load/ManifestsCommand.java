package dev.usher.benchmarks.load;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code usher-bench manifests}: writes the benchmark's manifests folder for origins already running. */
@Command(
        name = "manifests",
        mixinStandardHelpOptions = true,
        description = "Write the manifests folder the harness generates: hosts h<i>.bench.test with Prefix paths "
                + "/p<j>, spread over Services origin-<k> whose Endpoints are the given loopback ports.")
final class ManifestsCommand implements Callable<Integer> {

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Folder to write.")
    Path out;

    @Option(
            names = "--origin-port",
            paramLabel = "PORT",
            required = true,
            split = ",",
            description = "Loopback port of each origin (comma-separated or repeated).")
    List<Integer> originPorts;

    @Option(names = "--hosts", paramLabel = "N", defaultValue = "1", description = "Hosts (default: 1).")
    int hosts;

    @Option(names = "--paths", paramLabel = "N", defaultValue = "1", description = "Paths per host (default: 1).")
    int paths;

    @Override
    public Integer call() throws Exception {
        List<RequestTarget> targets = BenchManifests.write(out, hosts, paths, originPorts);
        System.out.printf(
                "wrote %s: %d route(s), first: Host %s path %s%n",
                out, targets.size(), targets.get(0).host(), targets.get(0).path());
        return 0;
    }
}
