package dev.usher.k8s.translate;

import java.util.List;
import java.util.Objects;

/**
 * Something in the input that Usher skipped or could not honour; reported, never thrown.
 *
 * @param source what it is about: a file path, or {@code Kind namespace/name}
 * @param message what is wrong and what Usher did instead
 * @param reason one of {@link #REASONS}: the kind of problem, a metric's tag
 */
public record Problem(String source, String message, String reason) {

    /** An ingress-nginx or Usher annotation that is not a real one. */
    public static final String ANNOTATION_UNKNOWN = "annotation-unknown";

    /** An annotation Usher does not implement (yet). */
    public static final String ANNOTATION_UNSUPPORTED = "annotation-unsupported";

    /** An annotation Usher refuses ({@code *-snippet}). */
    public static final String ANNOTATION_REFUSED = "annotation-refused";

    /** An annotation whose value is invalid. */
    public static final String ANNOTATION_INVALID = "annotation-invalid";

    /** Anything else: an object or file skipped, a reference that does not resolve, a conflict of settings. */
    public static final String OTHER = "other";

    /** Every reason, in the order a report lists them. */
    public static final List<String> REASONS =
            List.of(ANNOTATION_UNKNOWN, ANNOTATION_UNSUPPORTED, ANNOTATION_REFUSED, ANNOTATION_INVALID, OTHER);

    public Problem {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(message, "message");
        if (!REASONS.contains(reason)) {
            throw new IllegalArgumentException("unknown problem reason " + reason);
        }
    }

    /** A problem of reason {@link #OTHER}. */
    public Problem(String source, String message) {
        this(source, message, OTHER);
    }

    @Override
    public String toString() {
        return source + ": " + message;
    }
}
