package dev.usher.benchmarks.load;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** How the harness starts its own Usher and echo origins. */
final class UsherOptions {

    /** JVM flags used when none are given: a small fixed heap and a single-threaded collector for 2 cores. */
    static final String DEFAULT_JAVA_OPTS = "-Xms128m -Xmx128m -XX:+UseParallelGC";

    @Option(
            names = "--usher-jar",
            paramLabel = "JAR",
            defaultValue = "deploy/target/usher.jar",
            description = "Usher's runnable jar (default: ${DEFAULT-VALUE}).")
    Path jar;

    @Option(
            names = "--usher-java",
            paramLabel = "JAVA",
            description = "The java launcher Usher runs on, to compare JDKs (default: the harness's own).")
    Path java;

    @Option(
            names = "--usher-java-opts",
            paramLabel = "FLAGS",
            defaultValue = DEFAULT_JAVA_OPTS,
            description = "JVM flags for Usher, space separated (default: ${DEFAULT-VALUE}).")
    String javaOpts;

    @Option(
            names = "--usher-event-loops",
            paramLabel = "N",
            defaultValue = "1",
            description = "Usher's proxy event loops, 0 = one per processor (default: ${DEFAULT-VALUE}).")
    int eventLoops;

    @Option(
            names = "--usher-access-log",
            paramLabel = "text|json|off",
            defaultValue = "off",
            description = "Usher's access log; off by default, as for nginx and HAProxy in compare.sh "
                    + "(default: ${DEFAULT-VALUE}).")
    String accessLog;

    @Option(
            names = "--usher-arg",
            paramLabel = "ARG",
            description = "An extra 'usher run' argument (repeat it), such as --access-log=off.")
    List<String> extraArgs = new ArrayList<>();

    @Option(
            names = "--origins",
            paramLabel = "N",
            defaultValue = "1",
            description = "Echo origins (in-process, one event loop each) (default: ${DEFAULT-VALUE}).")
    int origins;

    @Option(
            names = "--hosts",
            paramLabel = "N",
            defaultValue = "1",
            description = "Hosts in the routing table (default: ${DEFAULT-VALUE}).")
    int hosts;

    @Option(
            names = "--paths",
            paramLabel = "N",
            defaultValue = "1",
            description = "Prefix paths per host (default: ${DEFAULT-VALUE}).")
    int paths;

    @Option(
            names = "--client-warmup",
            paramLabel = "DURATION",
            defaultValue = "0s",
            converter = DurationConverter.class,
            description = "Before Usher starts, load the echo origins directly for this long (the same connections "
                    + "and rate, not counted), so that this JVM's client and origins are compiled and the first "
                    + "seconds after Usher is ready measure Usher, not the harness (default: ${DEFAULT-VALUE}).")
    Duration clientWarmup;

    Path javaCommand() {
        return java != null ? java : Path.of(System.getProperty("java.home"), "bin", "java");
    }

    List<String> javaOptions() {
        return javaOpts.isBlank() ? List.of() : Arrays.asList(javaOpts.trim().split("\\s+"));
    }

    @Option(
            names = "--cluster",
            description = "Run Usher in cluster mode against fabric8's mock API server (CRUD mode, in this process, "
                    + "on loopback) holding the same objects, instead of on the manifests folder; edits go through "
                    + "the API server.")
    boolean cluster;

    List<String> runArgs() {
        List<String> args =
                new ArrayList<>(List.of("--event-loops", Integer.toString(eventLoops), "--access-log", accessLog));
        args.addAll(extraArgs);
        return args;
    }

    Map<String, Object> describe() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("usherJava", javaCommand().toString());
        map.put("usherJavaOptions", javaOpts);
        map.put("usherRunArgs", runArgs());
        map.put("origins", origins);
        map.put("hosts", hosts);
        map.put("paths", paths);
        map.put("clientWarmupSeconds", clientWarmup.toMillis() / 1000.0);
        map.put("source", cluster ? "cluster (mock API server)" : "manifests");
        return map;
    }
}
