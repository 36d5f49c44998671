package dev.usher.k8s;

import dev.usher.k8s.translate.KubeObjects;
import dev.usher.k8s.translate.Problem;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manifests folder as last read: per file, its stamp, its last good objects and its current problem.
 *
 * <p>Design: a file is re-read when its stamp (modification time, size, file key) changed or a watch event named it,
 * so an editor's rename-into-place (new inode) is seen even within one timestamp tick. A file that fails keeps its
 * last good objects. Hidden entries (names starting with '.') are skipped, except that symlinked files are followed:
 * that is how a ConfigMap volume ({@code ..data/}) presents its files. Only the watcher thread calls {@link #scan}.
 */
final class ManifestFiles {

    private static final Logger LOG = LoggerFactory.getLogger(ManifestFiles.class);

    private record Stamp(FileTime modified, long size, Object fileKey) {}

    private record Entry(Stamp stamp, List<HasMetadata> objects, String problem) {}

    private final Path root;
    private final Map<Path, Entry> entries = new TreeMap<>();

    ManifestFiles(Path root) {
        this.root = root;
    }

    /**
     * Re-reads what changed; returns whether any file's objects or problem changed.
     *
     * <p>When every path the watch events named is a plain file, or is gone and held no files below it, only those
     * paths are looked at: one edit costs one stat and one parse, however many files the folder holds. Anything else
     * (a directory, a symlink such as a ConfigMap volume's {@code ..data}, lost events, the periodic rescan) walks the
     * whole tree and compares every file's stamp.
     *
     * @param touched files named by watch events, re-read even if their stamp looks the same
     * @param rereadAll re-read every file (events were lost)
     * @param directories receives every directory to watch (only when the tree is walked)
     */
    boolean scan(Set<Path> touched, boolean rereadAll, Set<Path> directories) throws IOException {
        if (!rereadAll && !touched.isEmpty() && touched.stream().allMatch(this::settledAlone)) {
            boolean changed = false;
            for (Path path : touched) {
                changed |= ManifestParser.isManifest(path) ? refresh(path, true) : entries.remove(path) != null;
            }
            return changed;
        }
        Set<Path> found = list(directories);
        boolean changed = entries.keySet().retainAll(found);
        for (Path file : found) {
            changed |= refresh(file, rereadAll || touched.contains(file));
        }
        return changed;
    }

    /**
     * Whether a watch event on {@code path} can be settled by looking at that path alone: it is a regular file
     * (not a symlink), or it is gone and no file we hold was below it.
     */
    private boolean settledAlone(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .isRegularFile();
        } catch (NoSuchFileException gone) {
            for (Path file : entries.keySet()) {
                if (!file.equals(path) && file.startsWith(path)) {
                    return false;
                }
            }
            return true;
        } catch (IOException unreadable) {
            return false; // the walk decides, and reports what it cannot read
        }
    }

    /** Re-reads {@code file} if its stamp changed (or {@code force}); returns whether its objects or problem did. */
    private boolean refresh(Path file, boolean force) throws IOException {
        Stamp stamp;
        try {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            if (!attrs.isRegularFile()) {
                return entries.remove(file) != null;
            }
            stamp = new Stamp(attrs.lastModifiedTime(), attrs.size(), attrs.fileKey());
        } catch (NoSuchFileException gone) {
            return entries.remove(file) != null;
        }
        Entry old = entries.get(file);
        if (old != null && old.stamp().equals(stamp) && !force) {
            return false;
        }
        Entry now = load(file, stamp, old);
        entries.put(file, now);
        return old == null || !old.objects().equals(now.objects()) || !Objects.equals(old.problem(), now.problem());
    }

    /** Every good object, files in path order; the first file to define a kind and name wins. */
    KubeObjects objects(List<Problem> problems) {
        KubeObjects.Builder builder = KubeObjects.builder();
        Map<String, Path> definedIn = new HashMap<>();
        entries.forEach((file, entry) -> {
            for (HasMetadata object : entry.objects()) {
                String id = object.getKind() + " " + KubeObjects.key(object);
                Path first = definedIn.putIfAbsent(id, file);
                if (first != null) {
                    problems.add(new Problem(
                            file.toString(), id + " is also defined in " + first + "; this copy is ignored"));
                } else {
                    builder.add(object);
                }
            }
        });
        return builder.build();
    }

    /** One problem per file whose latest version was rejected. */
    List<Problem> fileProblems() {
        List<Problem> problems = new ArrayList<>();
        entries.forEach((file, entry) -> {
            if (entry.problem() != null) {
                problems.add(new Problem(file.toString(), entry.problem()));
            }
        });
        return problems;
    }

    private Entry load(Path file, Stamp stamp, Entry old) {
        List<HasMetadata> lastGood = old == null ? List.of() : old.objects();
        try {
            List<HasMetadata> objects = ManifestParser.parse(file);
            if (old != null && old.problem() != null) {
                LOG.info("manifest {} is valid again", file);
            }
            return new Entry(stamp, objects, null);
        } catch (ManifestParser.Rejected e) {
            String problem =
                    "rejected, keeping its last good version (" + lastGood.size() + " objects): " + e.getMessage();
            LOG.debug("manifest {} {}", file, problem); // the publisher logs it once, as a new problem
            return new Entry(stamp, lastGood, problem);
        } catch (IOException e) {
            String problem = "unreadable, keeping its last good version (" + lastGood.size() + " objects): " + e;
            LOG.debug("manifest {} {}", file, problem); // the publisher logs it once, as a new problem
            return new Entry(stamp, lastGood, problem);
        }
    }

    private Set<Path> list(Set<Path> directories) throws IOException {
        Set<Path> files = new TreeSet<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (!dir.equals(root) && dir.getFileName().toString().startsWith(".")) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                directories.add(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (ManifestParser.isManifest(file) && Files.isRegularFile(file)) {
                    files.add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                // A file deleted while we walk is simply gone; anything else is logged and skipped.
                if (!(e instanceof NoSuchFileException)) {
                    LOG.warn("cannot read {}: {}", file, e.toString());
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return files;
    }
}
