package dev.usher.k8s;

import dev.usher.k8s.translate.ConversionMemo;
import dev.usher.k8s.translate.KubeObjects;
import dev.usher.k8s.translate.Problem;
import dev.usher.k8s.translate.Translator;
import dev.usher.k8s.translate.WatcherSettings;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a folder of manifests, publishes its translation, and keeps following the folder until closed.
 *
 * <p>Design: one daemon thread, {@code usher-manifests}, owns all state. It waits on a {@link WatchService} (every
 * directory of the tree is registered) for at most {@value #RESCAN_MILLIS} ms; an event starts a debounce that
 * collects further events until {@value #QUIET_MILLIS} ms pass quietly (at most {@value #MAX_DEBOUNCE_MILLIS} ms), so
 * an editor's write-rename-delete burst (its system calls come microseconds apart) becomes one rebuild while a change
 * applies within a few milliseconds (a file caught half-written fails to parse, keeps its last good objects, and is
 * read again on its next event). Events that name only plain files re-read only those files. A timeout rescans stamps
 * anyway, because some platforms deliver watch events late or not at all. A rebuild publishes only when a file's
 * objects or problem changed, and records the time from the first event to the publish in
 * {@code usher_config_propagation_seconds}.
 *
 * <p>Manifests rarely carry {@code creationTimestamp}; such Ingresses count as created at the epoch, so conflicts
 * between them are decided by {@code namespace/name} order, which is stable across edits and restarts.
 */
public final class ManifestsSource implements AutoCloseable {

    static final long RESCAN_MILLIS = 1000;
    static final long QUIET_MILLIS = 3;
    static final long MAX_DEBOUNCE_MILLIS = 40;

    private static final Logger LOG = LoggerFactory.getLogger(ManifestsSource.class);

    private final Path dir;
    private final WatcherSettings settings;
    private final SnapshotPublisher publisher;
    private final ManifestFiles files;
    /** Unchanged Ingresses are not converted again (this thread's, as {@link #files} is). */
    private final ConversionMemo memo = new ConversionMemo();

    private final WatchService watchService;
    private final Map<WatchKey, Path> watched = new HashMap<>();
    private final Thread thread;
    private final long rescanMillis;
    private volatile boolean closed;
    /** When the first event of the change being applied arrived (0 for a rescan), for the propagation metric. */
    private long firstEventNanos;

    private ManifestsSource(Path dir, WatcherSettings settings, SnapshotPublisher publisher, long rescanMillis)
            throws IOException {
        this.dir = dir;
        this.rescanMillis = rescanMillis;
        this.settings = settings;
        this.publisher = publisher;
        this.files = new ManifestFiles(dir);
        this.watchService = dir.getFileSystem().newWatchService();
        this.thread = new Thread(this::run, "usher-manifests");
        this.thread.setDaemon(true);
    }

    /** Reads {@code dir}, publishes the first translation (before returning), then follows changes. */
    public static ManifestsSource start(Path dir, WatcherSettings settings, SnapshotPublisher publisher)
            throws IOException {
        return start(dir, settings, publisher, RESCAN_MILLIS);
    }

    /** As {@link #start(Path, WatcherSettings, SnapshotPublisher)}; tests stretch the rescan to see events alone. */
    static ManifestsSource start(Path dir, WatcherSettings settings, SnapshotPublisher publisher, long rescanMillis)
            throws IOException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(publisher, "publisher");
        Path root = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new IOException("manifests folder " + root + " is not a directory");
        }
        ManifestsSource source = new ManifestsSource(root, settings, publisher, rescanMillis);
        try {
            source.scanAndPublish(Set.of(), true, true);
        } catch (IOException | RuntimeException e) {
            source.watchService.close();
            throw e;
        }
        source.thread.start();
        LOG.info("watching manifests in {}", root);
        return source;
    }

    /** The folder being followed. */
    public Path directory() {
        return dir;
    }

    /** Stops following the folder; the last published snapshot stays in force. */
    @Override
    public void close() {
        closed = true;
        try {
            watchService.close();
        } catch (IOException e) {
            LOG.debug("closing the watch service", e);
        }
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (!closed) {
            try {
                Set<Path> touched = new HashSet<>();
                boolean overflow = waitForChanges(touched);
                scanAndPublish(touched, overflow, false);
            } catch (ClosedWatchServiceException | InterruptedException e) {
                break;
            } catch (IOException | RuntimeException e) {
                LOG.warn("scanning {} failed; keeping the routes in force and retrying", dir, e);
                sleepQuietly();
            }
        }
        LOG.debug("stopped watching {}", dir);
    }

    /** Blocks until a watch event (then debounces) or the rescan interval; returns whether events were lost. */
    private boolean waitForChanges(Set<Path> touched) throws InterruptedException {
        firstEventNanos = 0;
        WatchKey key = watchService.poll(rescanMillis, TimeUnit.MILLISECONDS);
        if (key == null) {
            return false;
        }
        firstEventNanos = System.nanoTime();
        boolean overflow = collect(key, touched);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_DEBOUNCE_MILLIS);
        while (System.nanoTime() < deadline) {
            WatchKey more = watchService.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS);
            if (more == null) {
                break;
            }
            overflow |= collect(more, touched);
        }
        return overflow;
    }

    private boolean collect(WatchKey key, Set<Path> touched) {
        boolean overflow = false;
        Path base = watched.get(key);
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                overflow = true;
            } else if (base != null && event.context() instanceof Path name) {
                touched.add(base.resolve(name));
            }
        }
        if (!key.reset()) {
            watched.remove(key);
        }
        return overflow;
    }

    private void scanAndPublish(Set<Path> touched, boolean rereadAll, boolean force) throws IOException {
        Set<Path> directories = new HashSet<>();
        boolean changed = files.scan(touched, rereadAll, directories);
        register(directories);
        if (!changed && !force) {
            return;
        }
        List<Problem> sourceProblems = new ArrayList<>(files.fileProblems());
        KubeObjects objects = files.objects(sourceProblems);
        publisher.publish(
                Translator.translate(objects, settings, memo).withSourceProblems(sourceProblems), firstEventNanos);
    }

    private void register(Set<Path> directories) {
        directories.removeAll(watched.values());
        for (Path directory : directories) {
            try {
                WatchKey key = directory.register(
                        watchService,
                        StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_DELETE,
                        StandardWatchEventKinds.ENTRY_MODIFY);
                watched.put(key, directory);
            } catch (IOException e) {
                // Gone already, or not watchable: the periodic rescan still covers it.
                LOG.debug("cannot watch {}: {}", directory, e.toString());
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(RESCAN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
