package dev.usher.k8s.translate;

import dev.usher.k8s.Problem;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects the problems of one translation in the order the steps found them.
 *
 * <p>Steps log at debug only: the publisher logs each problem once, when it first appears, so a rebuild that finds
 * the same broken object again does not repeat the warning.
 */
final class Problems {

    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

    private final List<Problem> list = new ArrayList<>();

    void add(String source, String message) {
        LOG.debug("{}: {}", source, message);
        list.add(new Problem(source, message));
    }

    boolean isEmpty() {
        return list.isEmpty();
    }

    List<Problem> list() {
        return List.copyOf(list);
    }
}
