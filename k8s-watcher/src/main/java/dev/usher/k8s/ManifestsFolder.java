package dev.usher.k8s;

import dev.usher.k8s.translate.KubeObjects;
import dev.usher.k8s.translate.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** A manifests folder read once, as {@code usher run --manifests} reads it, for {@code usher check}. */
public final class ManifestsFolder {

    /** The good objects and the problems of the files that were rejected or defined an object twice. */
    public record Read(KubeObjects objects, List<Problem> problems) {
        public Read {
            Objects.requireNonNull(objects, "objects");
            problems = List.copyOf(problems);
        }
    }

    private ManifestsFolder() {}

    public static Read read(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        if (!Files.isDirectory(dir)) {
            throw new IOException("not a directory: " + dir);
        }
        ManifestFiles files = new ManifestFiles(dir);
        Set<Path> directories = new HashSet<>();
        files.scan(Set.of(), true, directories);
        List<Problem> problems = new ArrayList<>(files.fileProblems());
        KubeObjects objects = files.objects(problems);
        return new Read(objects, problems);
    }
}
