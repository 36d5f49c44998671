package dev.usher.benchmarks.load;

import dev.usher.proxy.echo.EchoServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Echo origins in this process, a generated manifests folder routing hosts x paths to them, and Usher as a child
 * process on that folder, or (with {@code --cluster}) in cluster mode against a mock API server in this process
 * holding the folder's objects. Closing stops Usher, the API server, then the origins, then deletes the folder.
 */
final class LocalSetup implements AutoCloseable {

    private final List<EchoServer> origins = new ArrayList<>();
    private final Path manifests;
    private List<RequestTarget> requests = List.of();
    private UsherProcess usher;
    private ClusterApi cluster;

    private LocalSetup(Path manifests) {
        this.manifests = manifests;
    }

    /** Starts everything; on failure stops what was started and rethrows. */
    static LocalSetup start(UsherOptions options, LoadOptions load, Path logDir)
            throws IOException, InterruptedException {
        LocalSetup setup = new LocalSetup(Files.createTempDirectory("usher-bench-manifests"));
        try {
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < options.origins; i++) {
                EchoServer echo = EchoServer.builder()
                        .name(BenchManifests.serviceName(i))
                        .responseSize(load.responseSize)
                        .build()
                        .start();
                setup.origins.add(echo);
                ports.add(echo.port());
            }
            setup.requests = BenchManifests.write(setup.manifests, options.hosts, options.paths, ports);
            if (!options.clientWarmup.isZero()) {
                warmClient(options.clientWarmup, load, setup.requests, ports.get(0));
            }
            Files.createDirectories(logDir);
            if (options.cluster) {
                setup.cluster = ClusterApi.start(setup.manifests);
                setup.cluster.load(setup.manifests, ports);
                setup.usher = UsherProcess.startInCluster(
                        options.javaCommand(),
                        options.jar,
                        setup.cluster.kubeconfig(),
                        options.javaOptions(),
                        options.runArgs(),
                        logDir.resolve("usher.log"));
            } else {
                setup.usher = UsherProcess.start(
                        options.javaCommand(),
                        options.jar,
                        setup.manifests,
                        options.javaOptions(),
                        options.runArgs(),
                        logDir.resolve("usher.log"));
            }
            return setup;
        } catch (IOException | InterruptedException | RuntimeException e) {
            setup.close();
            throw e;
        }
    }

    /**
     * The load generator against the first echo origin directly, uncounted: the client's and the origins' code (both
     * in this JVM) gets compiled before Usher starts. The echo origin answers any host and path.
     */
    private static void warmClient(Duration time, LoadOptions load, List<RequestTarget> requests, int originPort)
            throws InterruptedException {
        System.out.printf(
                "client warm-up: %d s against the echo origin directly, before Usher starts%n", time.toSeconds());
        Measurement warm = LoadGenerator.run(
                new LoadSettings(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), originPort),
                        requests,
                        load.connections,
                        Duration.ZERO,
                        time,
                        load.rate,
                        load.bodySize,
                        load.timeout,
                        load.threads),
                (elapsed, counting, interval, errors) -> {});
        System.out.printf(
                "client warm-up: %d responses, %d errors%n",
                warm.responses(), warm.errors().total());
    }

    List<RequestTarget> requests() {
        return requests;
    }

    /** Where route and endpoint edits go: the API server in cluster mode, else the manifests folder. */
    ChurnTarget target() {
        return cluster != null ? cluster : ChurnTarget.folder(manifests);
    }

    UsherProcess usher() {
        return usher;
    }

    List<Integer> originPorts() {
        return origins.stream().map(EchoServer::port).toList();
    }

    /** TCP connections the origins accepted so far: Usher's origin pool reuse shows here. */
    long originConnectionsAccepted() {
        return origins.stream().mapToLong(EchoServer::connectionsAccepted).sum();
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", usher.httpPort());
    }

    @Override
    public void close() {
        if (usher != null) {
            usher.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        origins.forEach(EchoServer::close);
        try (Stream<Path> files = Files.walk(manifests)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + manifests + ": " + e);
        }
    }
}
