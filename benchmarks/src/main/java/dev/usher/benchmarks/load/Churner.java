package dev.usher.benchmarks.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The churn scenario's two threads: an editor that changes routes (and endpoints) through the manifests folder, or
 * the API server in cluster mode ({@link ChurnTarget}), at a steady pace, and a probe that times how long each new
 * route takes to serve.
 *
 * <p>Edit {@code k} replaces Ingress {@code churn-(k mod files)} (its file, written and renamed into place, or the
 * object through the API server) with one Exact rule {@code /churn/k} on host {@code churn.bench.test}, so it adds a
 * route and removes the one that Ingress held before. That host has no other rule, so before the edit is in force
 * the probe gets 404 and after it 200: the delay from the edit's return to the probe's first 200 is the propagation
 * delay (an upper bound; the probe's sweep adds a little).
 * Edits are numbered from {@code firstEdit}, so a second churner (the measured one after a warm-up one) never
 * probes a path the first one used. Every {@code endpointEvery}-th edit also rewrites the Endpoints of {@code origin-0}, cycling between both origin
 * ports, one, and the other, so load routed there keeps flowing while its pool changes.
 */
final class Churner {

    static final String HOST = "churn.bench.test";

    /** What the churn did and saw. */
    record Report(
            int routeEdits,
            int endpointEdits,
            long seen,
            long missed,
            long probeErrors,
            long probes,
            Latency propagation,
            Map<Integer, Long> perEditMicros) {}

    /**
     * The probe sweeps the pending routes at most once per this period. Back to back it sent thousands of requests a
     * second while an edit was pending, which in cluster mode (50 ms of debounce per edit) more than doubled Usher's
     * event-loop CPU beside 1,000 req/s of load; paced, it sends at most 1,000 while anything is pending, and a
     * propagation delay reads at most this much long.
     */
    static final long PROBE_PERIOD_NANOS = 1_000_000;

    private final ChurnTarget target;
    private final InetSocketAddress address;
    private final List<Integer> originPorts;
    private final int firstEdit;
    private final int edits;
    private final double editsPerSecond;
    private final int endpointEvery;
    private final int files;
    private final Map<Integer, Long> pending = new ConcurrentSkipListMap<>();
    private final Histogram propagationMicros = new Histogram(3);
    private final Map<Integer, Long> perEditMicros = new ConcurrentSkipListMap<>(); // edit -> propagation, -1 missed
    private volatile boolean editorDone;
    private volatile IOException editorFailure;
    private int endpointEdits;
    private long seen;
    private long missed;
    private long probeErrors;
    private long probes;

    Churner(
            ChurnTarget target,
            InetSocketAddress address,
            List<Integer> originPorts,
            int firstEdit,
            int edits,
            double editsPerSecond,
            int endpointEvery,
            int files) {
        this.target = target;
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
        return new Report(
                edits, endpointEdits, seen, missed, probeErrors, probes, Latency.of(propagationMicros), perEditMicros);
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
                target.ingress(name, yaml);
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
        target.endpoints(BenchManifests.serviceName(0), ports);
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
                long sweep = System.nanoTime();
                for (Map.Entry<Integer, Long> edit : new TreeMap<>(pending).entrySet()) {
                    probeOne(client, edit.getKey(), edit.getValue(), giveUpNanos);
                }
                long rest = PROBE_PERIOD_NANOS - (System.nanoTime() - sweep);
                if (rest > 0) {
                    LockSupport.parkNanos(rest);
                }
            }
        }
    }

    private void probeOne(ProbeClient client, int k, long writtenAt, long giveUpNanos) {
        int status;
        probes++;
        try {
            status = client.get(HOST, "/churn/" + k);
        } catch (IOException | RuntimeException e) {
            probeErrors++;
            return;
        }
        long now = System.nanoTime();
        if (status == 200) {
            propagationMicros.recordValue(Math.max(0, (now - writtenAt) / 1000));
            perEditMicros.put(k, Math.max(0, (now - writtenAt) / 1000));
            seen++;
            pending.remove(k);
        } else if (status != 404) {
            probeErrors++;
        } else if (now - writtenAt > giveUpNanos) {
            missed++;
            perEditMicros.put(k, -1L);
            pending.remove(k);
        }
    }
}
