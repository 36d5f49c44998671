package dev.usher.k8s.translate;

import java.util.Objects;

/**
 * Something in the input that Usher skipped or could not honour; reported, never thrown.
 *
 * @param source what it is about: a file path, or {@code Kind namespace/name}
 * @param message what is wrong and what Usher did instead
 */
public record Problem(String source, String message) {

    public Problem {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return source + ": " + message;
    }
}
