package dev.usher.k8s.translate;

import dev.usher.routing.PathNormalizer;
import dev.usher.routing.PathType;

/**
 * Checks of rule paths and rewrite targets, so that what a manifests folder holds obeys the API server's rules too.
 *
 * <p>For {@code Exact} and {@code Prefix} paths the API server refuses {@code //}, {@code /./}, {@code /../},
 * {@code %2f}, {@code %2F} and a final {@code /..} or {@code /.} (Kubernetes {@code pkg/apis/networking/validation}).
 * Usher adds what its path normalisation implies: such a path can never equal a normalised request path, and neither
 * can one whose dots are percent-encoded ({@code /%2e%2e/}) or one holding a control character. A rewrite target
 * becomes part of the request line sent upstream, so it must be a clean RFC 3986 path: {@code pchar}s and
 * {@code /} only (CR, LF, tab, space and other control bytes would split or corrupt that line), well-formed escapes,
 * and no dot segments or empty segments.
 */
final class RulePaths {

    private static final String[] INVALID_SEQUENCES = {"//", "/./", "/../", "%2f", "%2F"};
    private static final String[] INVALID_SUFFIXES = {"/..", "/."};

    private RulePaths() {}

    /** Why {@code path} (absolute) cannot be a rule path of {@code type}, or {@code null} when it can. */
    static String pathProblem(String path, PathType type) {
        String control = controlCharacter(path);
        if (control != null) {
            return control;
        }
        if (type == PathType.IMPLEMENTATION_SPECIFIC) {
            return null; // a plain string prefix: the API server leaves it alone
        }
        String problem = apiServerProblem(path);
        if (problem != null) {
            return problem + " (the API server refuses it for pathType " + label(type) + ")";
        }
        String decoded = PathNormalizer.normalizeEscapes(path);
        if (decoded != path && apiServerProblem(decoded) != null) {
            return "must not contain dot segments, even percent-encoded ('" + decoded + "' once decoded)";
        }
        return null;
    }

    /** Why {@code target} (non-empty, starting with {@code /}) cannot be a rewrite target, or {@code null}. */
    static String rewriteProblem(String target) {
        String control = controlCharacter(target);
        if (control != null) {
            return control;
        }
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '%') {
                if (i + 2 >= target.length() || !isHex(target.charAt(i + 1)) || !isHex(target.charAt(i + 2))) {
                    return "has a '%' not followed by two hex digits";
                }
                i += 2;
            } else if (!isPathCharacter(c)) {
                return "must hold only RFC 3986 path characters (percent-encode others), found "
                        + Problems.quote(String.valueOf(c));
            }
        }
        if (target.equals("/")) {
            return null;
        }
        String problem = apiServerProblem(PathNormalizer.normalizeEscapes(target));
        return problem == null ? null : "must be a normalised path: it " + problem;
    }

    private static String apiServerProblem(String path) {
        for (String sequence : INVALID_SEQUENCES) {
            if (path.contains(sequence)) {
                return "must not contain '" + sequence + "'";
            }
        }
        for (String suffix : INVALID_SUFFIXES) {
            if (path.endsWith(suffix)) {
                return "cannot end with '" + suffix + "'";
            }
        }
        return null;
    }

    private static String controlCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "must not contain control characters (found " + Problems.quote(String.valueOf(c)) + ")";
            }
        }
        return null;
    }

    /** RFC 3986 §3.3 {@code pchar} without {@code pct-encoded}, plus {@code /}. */
    private static boolean isPathCharacter(char c) {
        return c >= 'a' && c <= 'z'
                || c >= 'A' && c <= 'Z'
                || c >= '0' && c <= '9'
                || "-._~!$&'()*+,;=:@/".indexOf(c) >= 0;
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    private static String label(PathType type) {
        return type == PathType.EXACT ? "Exact" : "Prefix";
    }
}
