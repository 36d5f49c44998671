package dev.usher.k8s.translate;

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
        add(source, message, Problem.OTHER);
    }

    /** A problem of one of {@link Problem#REASONS}. */
    void add(String source, String message, String reason) {
        LOG.debug("{}: {}", source, message);
        list.add(new Problem(source, message, reason));
    }

    /**
     * {@code value} in single quotes with control characters escaped ({@code \r}, {@code \n}, {@code \t},
     * {@code \xNN}), so that a value from an object can never split or forge a log line.
     */
    static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('\'');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%02X", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('\'').toString();
    }

    /** Problems found before, by an earlier translation of the same object (already logged then). */
    void addAll(List<Problem> found) {
        list.addAll(found);
    }

    boolean isEmpty() {
        return list.isEmpty();
    }

    List<Problem> list() {
        return List.copyOf(list);
    }
}
