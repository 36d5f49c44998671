package dev.usher.benchmarks.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Usher's launcher ({@code java -jar usher.jar run --manifests DIR}, or in cluster mode against an API server) as a
 * child process, so the harness can read its
 * CPU and memory from {@code /proc}. It binds port 0 on loopback; the ports are read from its "usher is running"
 * line, then {@code /readyz} is polled. Its output goes to a log file. {@link #close()} stops it (SIGTERM, then
 * SIGKILL after a grace period).
 */
public final class UsherProcess implements AutoCloseable {

    private static final Pattern RUNNING = Pattern.compile("usher is running: http :(\\d+).*admin :(\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Process process;
    private final int httpPort;
    private final int adminPort;
    private final List<String> command;

    private UsherProcess(Process process, int httpPort, int adminPort, List<String> command) {
        this.process = process;
        this.httpPort = httpPort;
        this.adminPort = adminPort;
        this.command = command;
    }

    /**
     * Starts Usher on {@code manifests} and returns once it is ready.
     *
     * @param java the {@code java} launcher Usher runs on
     * @param javaOptions JVM flags (heap, GC, JFR...)
     * @param extraArgs further {@code usher run} flags, such as {@code --event-loops 1}
     * @param log where Usher's output goes
     */
    public static UsherProcess start(
            Path java, Path jar, Path manifests, List<String> javaOptions, List<String> extraArgs, Path log)
            throws IOException, InterruptedException {
        Objects.requireNonNull(manifests, "manifests");
        return start(java, jar, List.of("--manifests", manifests.toString()), Map.of(), javaOptions, extraArgs, log);
    }

    /**
     * Starts Usher in cluster mode against the API server {@code kubeconfig} names (as {@code $KUBECONFIG}) and
     * returns once it is ready; otherwise as {@link #start(Path, Path, Path, List, List, Path)}.
     */
    public static UsherProcess startInCluster(
            Path java, Path jar, Path kubeconfig, List<String> javaOptions, List<String> extraArgs, Path log)
            throws IOException, InterruptedException {
        Objects.requireNonNull(kubeconfig, "kubeconfig");
        return start(java, jar, List.of(), Map.of("KUBECONFIG", kubeconfig.toString()), javaOptions, extraArgs, log);
    }

    private static UsherProcess start(
            Path java,
            Path jar,
            List<String> sourceArgs,
            Map<String, String> environment,
            List<String> javaOptions,
            List<String> extraArgs,
            Path log)
            throws IOException, InterruptedException {
        Objects.requireNonNull(jar, "jar");
        if (!Files.isRegularFile(jar)) {
            throw new IOException(
                    "no Usher jar at " + jar + "; build it: mvn -B -o -q -pl deploy -am package " + "-DskipTests");
        }
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(javaOptions);
        command.addAll(List.of(
                "-jar",
                jar.toString(),
                "run",
                "--bind",
                "127.0.0.1",
                "--http-port",
                "0",
                "--admin-port",
                "0",
                "--disable-https",
                "--drain-timeout",
                "1s"));
        command.addAll(sourceArgs);
        command.addAll(extraArgs);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        CompletableFuture<int[]> ports = new CompletableFuture<>();
        Thread pump = new Thread(() -> pump(process, log, ports), "usher-output");
        pump.setDaemon(true);
        pump.start();
        try {
            int[] bound = ports.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            UsherProcess usher = new UsherProcess(process, bound[0], bound[1], List.copyOf(command));
            usher.awaitReady();
            return usher;
        } catch (ExecutionException | TimeoutException | IOException | RuntimeException e) {
            stop(process);
            throw new IOException("Usher did not start (see " + log + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            stop(process);
            throw e;
        }
    }

    private static void pump(Process process, Path log, CompletableFuture<int[]> ports) {
        try (BufferedReader in =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                PrintStream out = new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.println(line);
                Matcher running = RUNNING.matcher(line);
                if (running.find()) {
                    ports.complete(new int[] {Integer.parseInt(running.group(1)), Integer.parseInt(running.group(2))});
                }
            }
        } catch (IOException e) {
            ports.completeExceptionally(e);
        }
        ports.completeExceptionally(new IOException("Usher's output ended before it said it was running"));
    }

    private void awaitReady() throws IOException, InterruptedException {
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/readyz"))
                .timeout(Duration.ofSeconds(2))
                .build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                if (client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IOException("Usher's /readyz did not answer 200 in " + START_TIMEOUT.toSeconds() + " s");
    }

    public long pid() {
        return process.pid();
    }

    public int httpPort() {
        return httpPort;
    }

    public int adminPort() {
        return adminPort;
    }

    /** The command line it was started with (reported with the results). */
    public List<String> command() {
        return command;
    }

    @Override
    public void close() {
        stop(process);
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
