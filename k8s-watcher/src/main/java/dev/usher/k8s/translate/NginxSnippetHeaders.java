package dev.usher.k8s.translate;

import dev.usher.routing.HeaderEdit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The one use of ingress-nginx's {@code configuration-snippet} Usher reads: response header directives. A snippet made
 * only of {@code more_set_headers "Name: value" ...;}, {@code more_clear_headers Name ...;}, {@code add_header Name
 * value [always];} and {@code proxy_hide_header Name;} (comments and blank lines allowed) becomes the Ingress's
 * {@link HeaderEdit}s, so the most common snippet, security headers on a host, works unchanged. Nothing else of a
 * snippet is ever read: any other directive, a block, a variable ({@code $...}, never expanded), a status or type
 * filter ({@code -s}, {@code -t}), a wildcard name, a field name that is not a token or is the proxy's own
 * ({@link HeaderEdit#PROXY_OWNED}) or a value with a control byte refuses the whole snippet, reported, as every
 * snippet was before. The snippet is parsed as nginx would (quotes, backslash escapes, {@code #} comments), but only
 * into field names and values: no text of it reaches a configuration, a request line or a field other than its own.
 */
final class NginxSnippetHeaders {

    static final String CONFIGURATION_SNIPPET = "configuration-snippet";

    /** More edits than this refuse the snippet: each one is work on every response. */
    static final int MAX_EDITS = 64;

    private NginxSnippetHeaders() {}

    /** What a snippet says: its edits, or why it is refused. */
    record Parsed(List<HeaderEdit> edits, @Nullable String problem) {}

    /** The edits of the Ingress's {@code configuration-snippet}; none without one or when it is refused. */
    static List<HeaderEdit> read(Map<String, String> a) {
        String snippet = a.get(Annotations.NGINX + CONFIGURATION_SNIPPET);
        return snippet == null ? List.of() : parse(snippet).edits();
    }

    static Parsed parse(String snippet) {
        List<HeaderEdit> edits = new ArrayList<>();
        List<List<String>> directives;
        try {
            directives = directives(snippet);
            for (List<String> d : directives) {
                add(d, edits);
            }
        } catch (IllegalArgumentException e) {
            return new Parsed(List.of(), e.getMessage());
        }
        if (edits.size() > MAX_EDITS) {
            return new Parsed(List.of(), "more than " + MAX_EDITS + " header edits");
        }
        return new Parsed(List.copyOf(edits), null);
    }

    private static void add(List<String> d, List<HeaderEdit> edits) {
        String directive = d.get(0);
        List<String> args = d.subList(1, d.size());
        switch (directive) {
            case "more_set_headers" -> {
                for (String arg : arguments(directive, args)) {
                    int colon = arg.indexOf(':');
                    if (colon < 0) {
                        throw new IllegalArgumentException(
                                "more_set_headers expects \"Name: value\", not " + Problems.quote(clip(arg)));
                    }
                    String name = arg.substring(0, colon).strip();
                    String value = arg.substring(colon + 1).strip();
                    edits.add(edit(
                            name,
                            value.isEmpty() ? null : value,
                            value.isEmpty() ? HeaderEdit.Mode.CLEAR : HeaderEdit.Mode.SET));
                }
            }
            case "more_clear_headers" -> {
                for (String name : arguments(directive, args)) {
                    edits.add(edit(name, null, HeaderEdit.Mode.CLEAR));
                }
            }
            case "proxy_hide_header" -> {
                if (args.size() != 1) {
                    throw new IllegalArgumentException("proxy_hide_header takes one field name");
                }
                edits.add(edit(args.get(0), null, HeaderEdit.Mode.CLEAR));
            }
            case "add_header" -> {
                boolean always = args.size() == 3 && args.get(2).equals("always");
                if (args.size() != 2 && !always) {
                    throw new IllegalArgumentException("add_header takes a name, a value and optionally \"always\"");
                }
                String value = args.get(1).strip();
                if (!value.isEmpty()) { // nginx adds nothing for an empty value
                    edits.add(edit(args.get(0), value, always ? HeaderEdit.Mode.ADD_ALWAYS : HeaderEdit.Mode.ADD));
                }
            }
            default ->
                throw new IllegalArgumentException(Problems.quote(clip(directive))
                        + " is not a header directive (more_set_headers, more_clear_headers, add_header,"
                        + " proxy_hide_header)");
        }
    }

    /** The arguments of a headers-more directive, refusing its filters. */
    private static List<String> arguments(String directive, List<String> args) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException(directive + " names no field");
        }
        for (String arg : args) {
            if (arg.startsWith("-")) {
                throw new IllegalArgumentException(directive + ": status and type filters (-s, -t) are not supported");
            }
        }
        return args;
    }

    private static HeaderEdit edit(String name, @Nullable String value, HeaderEdit.Mode mode) {
        if (name.indexOf('*') >= 0) {
            throw new IllegalArgumentException("wildcard field names are not supported: " + Problems.quote(clip(name)));
        }
        String problem = HeaderEdit.nameProblem(name);
        if (problem == null && value != null) {
            problem = HeaderEdit.valueProblem(value);
        }
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new HeaderEdit(name, value, mode);
    }

    /** nginx's lexer, for directives without blocks: each directive's words, quotes and escapes resolved. */
    private static List<List<String>> directives(String text) {
        List<List<String>> directives = new ArrayList<>();
        List<String> words = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                i++;
            } else if (c == '#') {
                while (i < n && text.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == ';') {
                if (words.isEmpty()) {
                    throw new IllegalArgumentException("an empty directive (;)");
                }
                directives.add(words);
                words = new ArrayList<>();
                i++;
            } else if (c == '{' || c == '}') {
                throw new IllegalArgumentException("blocks ({ }) are not supported");
            } else {
                StringBuilder word = new StringBuilder();
                char quote = c == '"' || c == '\'' ? c : 0;
                if (quote != 0) {
                    i++;
                }
                while (true) {
                    if (i >= n) {
                        if (quote != 0) {
                            throw new IllegalArgumentException("an unterminated quoted string");
                        }
                        break;
                    }
                    char d = text.charAt(i);
                    if (quote != 0 && d == quote) {
                        i++;
                        break;
                    }
                    if (quote == 0 && (" \t\r\n;{}".indexOf(d) >= 0)) {
                        break;
                    }
                    if (quote == 0 && (d == '"' || d == '\'')) {
                        throw new IllegalArgumentException("a quote inside a word");
                    }
                    if (d == '$') {
                        throw new IllegalArgumentException("variables ($...) are not expanded in header directives");
                    }
                    if (d == '\\' && i + 1 < n) {
                        char e = text.charAt(++i);
                        word.append(
                                switch (e) {
                                    case 't' -> '\t';
                                    case 'r' -> '\r';
                                    case 'n' -> '\n';
                                    default -> e;
                                });
                        i++;
                        continue;
                    }
                    word.append(d);
                    i++;
                }
                if (quote != 0 && i < n && " \t\r\n;".indexOf(text.charAt(i)) < 0) {
                    throw new IllegalArgumentException("text right after a quoted string");
                }
                words.add(word.toString());
            }
        }
        if (!words.isEmpty()) {
            throw new IllegalArgumentException("the last directive has no closing ;");
        }
        return directives;
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
