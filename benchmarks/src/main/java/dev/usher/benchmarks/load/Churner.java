package dev.usher.benchmarks.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The churn scenario's two threads: an editor that changes routes (and endpoints) through the manifests folder at a
 * steady pace, and a probe that times how long each new route takes to serve.
 *
 * <p>Edit {@code k} rewrites file {@code churn-(k mod files).yaml} (temp file + atomic rename) with one Exact rule
 * {@code /churn/k} on host {@code churn.bench.test}, so it adds a route and removes the one that file held before.
 * That host has no other rule, so before the edit is in force the probe gets 404 and after it 200: the delay from
 * the rename to the probe's first 200 is the propagation delay (an upper bound; the probe's sweep adds a little).
 * Edits are numbered from {@code firstEdit}, so a second churner (the measured one after a warm-up one) never
 * probes a path the first one used. Every {@code endpointEvery}-th edit also rewrites the Endpoints of {@code origin-0}, cycling between both origin
 * ports, one, and the other, so load routed there keeps flowing while its pool changes.
 */
final class Churner {

    static final String HOST = "churn.bench.test";

    /** What the churn did and saw. */
    record Report(int routeEdits, int endpointEdits, long seen, long missed, long probeErrors, Latency propagation) {}

    private final Path manifests;
    private final InetSocketAddress address;
    private final List<Integer> originPorts;
    private final int firstEdit;
    private final int edits;
    private final double editsPerSecond;
    private final int endpointEvery;
    private final int files;
    private final Map<Integer, Long> pending = new ConcurrentSkipListMap<>();
    private final Histogram propagationMicros = new Histogram(3);
    private volatile boolean editorDone;
    private volatile IOException editorFailure;
    private int endpointEdits;
    private long seen;
    private long missed;
    private long probeErrors;

    Churner(
            Path manifests,
            InetSocketAddress address,
            List<Integer> originPorts,
            int firstEdit,
            int edits,
            double editsPerSecond,
            int endpointEvery,
            int files) {
        this.manifests = manifests;
        this.address = address;
        this.originPorts = List.copyOf(originPorts);
        this.firstEdit = firstEdit;
        this.edits = edits;
        this.editsPerSecond = editsPerSecond;
        this.endpointEvery = endpointEvery;
        this.files = files;
    }

    /** Runs both threads to the end (every edit written and probed or given up on); blocks the caller. */
    Report run() throws InterruptedException, IOException {
        Thread editor = new Thread(this::edit, "churn-editor");
        editor.setDaemon(true);
        editor.start();
        probe();
        editor.join();
        if (editorFailure != null) {
            throw editorFailure;
        }
        return new Report(edits, endpointEdits, seen, missed, probeErrors, Latency.of(propagationMicros));
    }

    private void edit() {
        long start = System.nanoTime();
        long interval = Math.round(1e9 / editsPerSecond);
        try {
            for (int k = firstEdit; k < firstEdit + edits; k++) {
                long due = start + (k - firstEdit) * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                int file = k % files;
                String name = "churn-" + file;
                String yaml = BenchManifests.ingress(
                        name,
                        HOST,
                        List.of(new BenchManifests.Rule(
                                "/churn/" + k, "Exact", BenchManifests.serviceName(k % originPorts.size()))));
                BenchManifests.writeAtomically(manifests, name + ".yaml", yaml);
                pending.put(k, System.nanoTime());
                if (endpointEvery > 0 && k % endpointEvery == 0 && originPorts.size() > 1) {
                    editEndpoints(k / endpointEvery);
                }
            }
        } catch (IOException e) {
            editorFailure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            editorDone = true;
        }
    }

    private void editEndpoints(int round) throws IOException {
        List<Integer> both = List.of(originPorts.get(0), originPorts.get(1));
        List<Integer> ports =
                switch (round % 4) {
                    case 0 -> List.of(originPorts.get(1));
                    case 2 -> List.of(originPorts.get(0));
                    default -> both;
                };
        String service = BenchManifests.serviceName(0);
        BenchManifests.writeAtomically(
                manifests, "endpoints-" + service + ".yaml", BenchManifests.endpoints(service, ports));
        endpointEdits++;
    }

    private void probe() throws InterruptedException {
        // A route not seen before its file is rewritten again can never be seen: give up on it then.
        long giveUpNanos = Math.round(files / editsPerSecond * 1e9);
        try (ProbeClient client = new ProbeClient(address)) {
            while (!editorDone || !pending.isEmpty()) {
                if (pending.isEmpty()) {
                    Thread.sleep(1);
                    continue;
                }
                for (Map.Entry<Integer, Long> edit : new TreeMap<>(pending).entrySet()) {
                    probeOne(client, edit.getKey(), edit.getValue(), giveUpNanos);
                }
            }
        }
    }

    private void probeOne(ProbeClient client, int k, long writtenAt, long giveUpNanos) {
        int status;
        try {
            status = client.get(HOST, "/churn/" + k);
        } catch (IOException | RuntimeException e) {
            probeErrors++;
            return;
        }
        long now = System.nanoTime();
        if (status == 200) {
            propagationMicros.recordValue(Math.max(0, (now - writtenAt) / 1000));
            seen++;
            pending.remove(k);
        } else if (status != 404) {
            probeErrors++;
        } else if (now - writtenAt > giveUpNanos) {
            missed++;
            pending.remove(k);
        }
    }
}
