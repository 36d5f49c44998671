package dev.usher.k8s;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a parser's exception into the reason a manifests file is rejected, without ever echoing Secret material.
 *
 * <p>YAML and JSON parsers quote the input around an error (SnakeYAML prints the offending line under a caret,
 * Jackson names the unexpected token, databind quotes the value it could not convert), and a mis-indented
 * {@code tls.key} line once put 32 characters of a private key into {@code /debug/routes} and the log that way. So
 * when a file may hold a Secret or PEM data, the reason is reduced to what kind of error it is and where: line and
 * column, never the text. Other files keep the parser's own message, on one line.
 */
final class ParseErrors {

    /** {@code kind: Secret} in YAML or JSON spelling, quoted or not; PEM armour of any block type. */
    private static final Pattern SECRET_MARKERS =
            Pattern.compile("(?i)[\"']?kind[\"']?\\s*:\\s*[\"']?secret\\b|-----BEGIN|PRIVATE KEY");
    /** SnakeYAML's {@code line 5, column 3}, Jackson's {@code line: 5, column: 3} or {@code byte offset: #97}. */
    private static final Pattern POSITION = Pattern.compile("line:? (\\d+), column:? (\\d+)|byte offset: #(\\d+)");

    private ParseErrors() {}

    /** Whether {@code bytes} may hold Secret material: any {@code kind: Secret} or PEM marker, anywhere. */
    static boolean mayHoldSecret(byte[] bytes) {
        return SECRET_MARKERS
                .matcher(new String(bytes, StandardCharsets.ISO_8859_1))
                .find();
    }

    /** The reason for {@code error}, free of input text when {@code sensitive}. */
    static String describe(Throwable error, boolean sensitive) {
        if (!sensitive) {
            String message = error.getMessage() == null ? error.toString() : error.getMessage();
            return message.replaceAll("\\s*\\R\\s*", " ").trim();
        }
        StringBuilder reason = new StringBuilder(kind(error));
        String position = lastPosition(error);
        if (position != null) {
            reason.append(" at ").append(position);
        }
        return reason.append(" (details withheld: the file holds a Secret or PEM data)")
                .toString();
    }

    private static String kind(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            String name = t.getClass().getName();
            if (name.startsWith("org.snakeyaml.") || name.startsWith("org.yaml.")) {
                return "YAML syntax error";
            }
            if (name.startsWith("tools.jackson.core.") || name.startsWith("com.fasterxml.jackson.core.")) {
                return "JSON syntax error";
            }
            if (name.startsWith("tools.jackson.databind.") || name.startsWith("com.fasterxml.jackson.databind.")) {
                return "a field has the wrong type or shape";
            }
        }
        return "the file cannot be read as Kubernetes objects";
    }

    /** The last position named anywhere in the cause chain: where the parser gave up. */
    private static String lastPosition(Throwable error) {
        String found = null;
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t.getMessage() == null) {
                continue;
            }
            Matcher m = POSITION.matcher(t.getMessage());
            while (m.find()) {
                found = m.group(3) != null
                        ? "byte offset " + m.group(3)
                        : "line " + m.group(1) + ", column " + m.group(2);
            }
        }
        return found;
    }
}
