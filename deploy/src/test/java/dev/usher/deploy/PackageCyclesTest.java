package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Package dependencies point one way (docs/architecture.md): reads the imports of every main source file of every
 * module and fails on a cycle between {@code dev.usher} packages, naming it. Maven already forbids cycles between
 * modules; this catches them between the packages of one module.
 */
final class PackageCyclesTest {

    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    /** The package of an imported class: the segments before the first capitalised one. */
    private static final Pattern IMPORT =
            Pattern.compile("^import (?:static )?(dev\\.usher(?:\\.[a-z]\\w*)*)\\.[A-Z]", Pattern.MULTILINE);

    @Test
    void mainSources_haveNoPackageCycle() {
        Map<String, Set<String>> graph = graph(repositoryRoot());

        assertThat(graph).as("the scan found the sources").containsKeys("dev.usher.k8s", "dev.usher.proxy");
        assertThat(graph.get("dev.usher.k8s")).contains("dev.usher.k8s.translate");
        assertThat(graph.getOrDefault("dev.usher.k8s.translate", Set.of()))
                .as("the pure translation knows nothing of the sources that feed it")
                .doesNotContain("dev.usher.k8s");
        assertThat(cycle(graph)).as("package cycle").isEmpty();
    }

    @Test
    void cycle_findsAndNamesACycle() {
        Map<String, Set<String>> graph =
                new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a", "d"), "d", Set.of()));

        assertThat(cycle(graph)).containsExactly("a", "b", "c", "a");
        assertThat(cycle(Map.of("a", Set.of("b"), "b", Set.of()))).isEmpty();
    }

    private static Path repositoryRoot() {
        Path root = Path.of("").toAbsolutePath().getParent(); // surefire runs in the module directory
        assertThat(root.resolve("pom.xml")).as("the parent pom").exists();
        return root;
    }

    /** Package to the {@code dev.usher} packages its main sources import. */
    private static Map<String, Set<String>> graph(Path root) {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/main/java/"))
                    .forEach(file -> {
                        String source = read(file);
                        Matcher pkg = PACKAGE.matcher(source);
                        if (!pkg.find()) {
                            return;
                        }
                        Set<String> imports = graph.computeIfAbsent(pkg.group(1), p -> new TreeSet<>());
                        Matcher imported = IMPORT.matcher(source);
                        while (imported.find()) {
                            if (!imported.group(1).equals(pkg.group(1))) {
                                imports.add(imported.group(1));
                            }
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return graph;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first cycle found by depth-first search, as a path that ends where it starts; empty when none. */
    static List<String> cycle(Map<String, Set<String>> graph) {
        Set<String> done = new TreeSet<>();
        for (String start : new TreeSet<>(graph.keySet())) {
            Deque<String> path = new ArrayDeque<>();
            List<String> found = visit(start, graph, path, done);
            if (!found.isEmpty()) {
                return found;
            }
        }
        return List.of();
    }

    private static List<String> visit(
            String node, Map<String, Set<String>> graph, Deque<String> path, Set<String> done) {
        if (path.contains(node)) {
            List<String> cycle = new ArrayList<>();
            boolean in = false;
            for (String step : (Iterable<String>) path::descendingIterator) {
                in |= step.equals(node);
                if (in) {
                    cycle.add(step);
                }
            }
            cycle.add(node);
            return cycle;
        }
        if (!done.add(node)) {
            return List.of();
        }
        path.push(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            List<String> found = visit(next, graph, path, done);
            if (!found.isEmpty()) {
                return found;
            }
        }
        path.pop();
        return List.of();
    }
}
