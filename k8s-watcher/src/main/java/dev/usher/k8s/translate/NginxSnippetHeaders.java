package dev.usher.k8s.translate;

import dev.usher.routing.HeaderEdit;
import dev.usher.routing.LocalRedirect;
import dev.usher.routing.NginxTemplate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The one use of ingress-nginx's {@code configuration-snippet} Usher reads: header directives. A snippet made only of
 * response directives ({@code more_set_headers "Name: value" ...;}, {@code more_clear_headers Name ...;},
 * {@code add_header Name value [always];}, {@code proxy_hide_header Name;}) and request directives
 * ({@code proxy_set_header Name value;}, {@code more_set_input_headers "Name: value" ...;},
 * {@code more_clear_input_headers Name ...;}), comments and blank lines allowed, becomes the Ingress's
 * {@link HeaderEdit}s, so the most common snippets, security headers on a host or a field for the origin, work
 * unchanged. Values may hold the variables Usher expands elsewhere ({@code $host}, {@code $scheme},
 * {@code $request_uri}, {@code $remote_addr}, {@code $service_name}, ...: {@link NginxTemplate}) and the request's own
 * fields ({@code $http_<name>}, {@code $cookie_<name>}, {@code $remote_user}, as the client sent them), read per
 * request, every expanded byte that could not stand in a field percent-encoded.
 * Lines that ask for what Usher does anyway (WebSocket's {@code Upgrade}/{@code Connection},
 * {@code proxy_http_version 1.1}, {@code X-Real-IP $remote_addr}, {@code X-Forwarded-Proto $scheme},
 * {@code X-Forwarded-For $proxy_add_x_forwarded_for}, {@code Host $http_host} or {@code $best_http_host}) are no-ops;
 * {@code proxy_set_header Host $host} is the one {@code Host} a snippet may set ({@code upstream-vhost} sets others).
 * One redirecting {@code return [301|302|303|307|308] URL;} is read too ({@link #redirect}): the Ingress's
 * {@link LocalRedirect}, as {@code permanent-redirect} is.
 * Nothing else of a snippet is ever read: any other directive, a block, another variable (in a name, or one Usher does
 * not expand, such as {@code $request_time}), an option other than the response directives' status and type filters
 * ({@code -s}, {@code -t}: read), a wildcard name, a field name that is not a token or is the proxy's own
 * ({@link HeaderEdit#PROXY_OWNED}) or a value with a
 * control byte refuses the whole snippet, reported, as every snippet was before; a refused snippet that holds access
 * control fails its Ingress closed ({@link NginxSnippetAccess}). The snippet is parsed as nginx would
 * (quotes, backslash escapes, {@code #} comments), but only into field names and values: no text of it reaches a
 * configuration, a request line or a field other than its own.
 */
final class NginxSnippetHeaders {

    static final String CONFIGURATION_SNIPPET = "configuration-snippet";

    /** More edits than this refuse the snippet: each one is work on every request or response. */
    static final int MAX_EDITS = 64;

    private NginxSnippetHeaders() {}

    /**
     * What a snippet says: the edits of the origin's responses ({@code edits}) and of the requests sent to it
     * ({@code requestEdits}), or why it is refused (both empty then).
     */
    record Parsed(
            List<HeaderEdit> edits,
            List<HeaderEdit> requestEdits,
            int alreadyDone,
            @Nullable LocalRedirect redirect,
            @Nullable String problem) {

        static final Parsed NONE = new Parsed(List.of(), List.of(), 0, null, null);

        static Parsed refused(String problem) {
            return new Parsed(List.of(), List.of(), 0, null, problem);
        }
    }

    /** The statuses a snippet's {@code return} may answer with: nginx's redirects. */
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    /**
     * Directives that ask for what Usher does anyway, read as no-ops (directive and field name in lower case, then the
     * value): WebSocket's {@code Upgrade}/{@code Connection} lines and HTTP/1.1 (Usher tunnels an allowed upgrade
     * itself and speaks HTTP/1.1 to origins), the client's address and scheme, which Usher sends as
     * {@code X-Real-IP}, {@code X-Forwarded-For} (appended to a trusted proxy's) and {@code X-Forwarded-Proto}, and
     * the client's {@code Host}, which Usher sends unless {@code upstream-vhost} says otherwise.
     */
    private static final Set<List<String>> ALREADY_DONE = Set.of(
            List.of("proxy_http_version", "1.1"),
            List.of("proxy_set_header", "upgrade", "$http_upgrade"),
            List.of("proxy_set_header", "connection", "upgrade"),
            List.of("proxy_set_header", "connection", "$connection_upgrade"),
            List.of("proxy_set_header", "x-real-ip", "$remote_addr"),
            List.of("proxy_set_header", "x-forwarded-proto", "$scheme"),
            List.of("proxy_set_header", "x-forwarded-for", "$proxy_add_x_forwarded_for"),
            List.of("proxy_set_header", "host", "$http_host"),
            List.of("proxy_set_header", "host", "$best_http_host"));

    /** The edits of the Ingress's {@code configuration-snippet}; none without one or when it is refused. */
    static Parsed read(Map<String, String> a) {
        String snippet = a.get(Annotations.NGINX + CONFIGURATION_SNIPPET);
        Parsed parsed = snippet == null ? Parsed.NONE : parse(snippet);
        return parsed.problem() == null ? parsed : Parsed.NONE;
    }

    static Parsed parse(String snippet) {
        List<HeaderEdit> edits = new ArrayList<>();
        List<HeaderEdit> requestEdits = new ArrayList<>();
        int alreadyDone = 0;
        LocalRedirect redirect = null;
        try {
            for (List<String> d : directives(snippet)) {
                if (alreadyDone(d)) {
                    alreadyDone++;
                } else if (d.get(0).equals("return")) {
                    if (redirect != null) {
                        throw new IllegalArgumentException("more than one return");
                    }
                    redirect = redirect(d.subList(1, d.size()));
                } else {
                    add(d, edits, requestEdits);
                }
            }
        } catch (IllegalArgumentException e) {
            return Parsed.refused(e.getMessage());
        }
        if (edits.size() + requestEdits.size() > MAX_EDITS) {
            return Parsed.refused("more than " + MAX_EDITS + " header edits");
        }
        return new Parsed(List.copyOf(edits), List.copyOf(requestEdits), alreadyDone, redirect, null);
    }

    /**
     * {@code return [code] URL;} with a redirect status (301, 302, 303, 307, 308; 302 without one, as nginx), the
     * URL absolute ({@code http://}, {@code https://}, {@code $scheme://}) or a path: every request of the Ingress is
     * answered with it. Its variables are the ones Usher expands ({@code $host}, {@code $request_uri}, ...), not the
     * request's fields; any other {@code return} (a status with text, {@code 403}) refuses the snippet.
     */
    private static LocalRedirect redirect(List<String> args) {
        String url;
        int status;
        if (args.size() == 1 && args.get(0).matches("\\d{3}")) { // a status alone: a body-less answer
            int code = Integer.parseInt(args.get(0));
            throw new IllegalArgumentException(
                    REDIRECTS.contains(code)
                            ? "return takes a redirect status and a URL"
                            : "return " + code + " is not read: only redirects (301, 302, 303, 307, 308) with a URL");
        } else if (args.size() == 1) {
            url = args.get(0);
            status = 302;
        } else if (args.size() == 2 && args.get(0).matches("\\d{3}")) {
            url = args.get(1);
            status = Integer.parseInt(args.get(0));
        } else {
            throw new IllegalArgumentException("return takes a redirect status and a URL");
        }
        if (!REDIRECTS.contains(status)) {
            throw new IllegalArgumentException(
                    "return " + status + " is not read: only redirects (301, 302, 303, 307," + " 308) with a URL");
        }
        if (!(url.startsWith("http://")
                || url.startsWith("https://")
                || url.startsWith("$scheme://")
                || url.startsWith("/") && !url.startsWith("//"))) {
            throw new IllegalArgumentException(
                    "return " + status + ": " + Problems.quote(clip(url)) + " is not an http(s) URL or a path");
        }
        if (!LocalRedirect.safeHeaderValue(url)) {
            throw new IllegalArgumentException("return " + status + ": the URL has a blank or a control byte");
        }
        NginxTemplate template = url.indexOf('$') < 0 ? null : NginxTemplate.parse(url);
        if (template != null && template.readsRequestFields()) {
            throw new IllegalArgumentException(
                    "return " + status + ": the request's fields ($http_..., $cookie_...) are not read in a URL");
        }
        return new LocalRedirect(url, status, template == null || template.constant() ? null : template);
    }

    private static boolean alreadyDone(List<String> d) {
        List<String> key = new ArrayList<>(d.size());
        for (int i = 0; i < d.size(); i++) {
            String word = d.get(i);
            key.add(i == d.size() - 1 && word.startsWith("$") ? word : word.toLowerCase(Locale.ROOT));
        }
        return ALREADY_DONE.contains(key);
    }

    private static void add(List<String> d, List<HeaderEdit> edits, List<HeaderEdit> requestEdits) {
        String directive = d.get(0);
        List<String> args = d.subList(1, d.size());
        switch (directive) {
            case "more_set_headers" -> {
                Arguments a = arguments(directive, args, true);
                for (String arg : a.fields()) {
                    edits.add(a.filtered(nameValue(directive, arg, false)));
                }
            }
            case "more_set_input_headers" -> {
                for (String arg : arguments(directive, args, false).fields()) {
                    requestEdits.add(nameValue(directive, arg, true));
                }
            }
            case "more_clear_headers" -> {
                Arguments a = arguments(directive, args, true);
                for (String name : a.fields()) {
                    edits.add(a.filtered(edit(name, null, HeaderEdit.Mode.CLEAR)));
                }
            }
            case "more_clear_input_headers" -> {
                for (String name : arguments(directive, args, false).fields()) {
                    requestEdits.add(requestEdit(name, null));
                }
            }
            case "proxy_hide_header" -> {
                if (args.size() != 1) {
                    throw new IllegalArgumentException("proxy_hide_header takes one field name");
                }
                edits.add(edit(args.get(0), null, HeaderEdit.Mode.CLEAR));
            }
            case "proxy_set_header" -> {
                if (args.size() != 2) {
                    throw new IllegalArgumentException("proxy_set_header takes a field name and a value");
                }
                String value = args.get(1).strip(); // nginx sends no field for an empty value
                requestEdits.add(requestEdit(args.get(0), value.isEmpty() ? null : value));
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
                        + " proxy_hide_header, proxy_set_header, more_set_input_headers, more_clear_input_headers)");
        }
    }

    /** A headers-more {@code "Name: value"} argument: set, or cleared when the value is empty. */
    private static HeaderEdit nameValue(String directive, String arg, boolean request) {
        int colon = arg.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException(
                    directive + " expects \"Name: value\", not " + Problems.quote(clip(arg)));
        }
        String name = arg.substring(0, colon).strip();
        String value = arg.substring(colon + 1).strip();
        if (request) {
            return requestEdit(name, value.isEmpty() ? null : value);
        }
        return edit(
                name, value.isEmpty() ? null : value, value.isEmpty() ? HeaderEdit.Mode.CLEAR : HeaderEdit.Mode.SET);
    }

    /**
     * A field of the request sent to the origin: set, or cleared without a value; {@code Host} only as {@code $host}
     * (its other no-op forms are {@link #ALREADY_DONE}).
     */
    private static HeaderEdit requestEdit(String name, @Nullable String value) {
        if (name.equalsIgnoreCase("host") && !"$host".equals(value)) {
            throw new IllegalArgumentException("the origin's Host is the client's, or upstream-vhost's: a snippet may"
                    + " only set it to $host (or $http_host, $best_http_host: what Usher does)");
        }
        return edit(name, value, value == null ? HeaderEdit.Mode.CLEAR : HeaderEdit.Mode.SET);
    }

    /**
     * A headers-more directive's fields and, for the response directives, its {@code -s} (statuses) and {@code -t}
     * (media types) filters, each option's word a blank-separated list and repeatable, anywhere among the fields.
     */
    private record Arguments(List<String> fields, Set<Integer> statuses, Set<String> types) {

        /** {@code edit} limited to the filtered responses. */
        HeaderEdit filtered(HeaderEdit edit) {
            return statuses.isEmpty() && types.isEmpty()
                    ? edit
                    : new HeaderEdit(edit.name(), edit.value(), edit.mode(), edit.template(), statuses, types);
        }
    }

    /** At most this many statuses, and as many types, in one directive's filters. */
    private static final int MAX_FILTER_WORDS = 64;

    private static final Pattern STATUS = Pattern.compile("[1-9][0-9]{2}");

    private static final Pattern MEDIA_TYPE = Pattern.compile("[a-z0-9!#$%&'+.^_`|~-]+/[a-z0-9!#$%&'+.^_`|~-]+");

    /** The arguments of a headers-more directive; {@code filters}: {@code -s} and {@code -t} are read, else refused. */
    private static Arguments arguments(String directive, List<String> args, boolean filters) {
        List<String> fields = new ArrayList<>();
        Set<Integer> statuses = new LinkedHashSet<>();
        Set<String> types = new LinkedHashSet<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("-")) {
                fields.add(arg);
                continue;
            }
            if (!filters || !(arg.equals("-s") || arg.equals("-t"))) {
                throw new IllegalArgumentException(directive + ": option " + Problems.quote(clip(arg))
                        + " is not supported" + (filters ? " (-s and -t are)" : ""));
            }
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(directive + ": " + arg + " without its list");
            }
            for (String word : args.get(++i).strip().split("[ \t]+", -1)) {
                if (arg.equals("-s")) {
                    if (!STATUS.matcher(word).matches()) {
                        throw new IllegalArgumentException(
                                directive + ": -s takes three-digit statuses, not " + Problems.quote(clip(word)));
                    }
                    statuses.add(Integer.parseInt(word));
                } else {
                    String type = word.toLowerCase(Locale.ROOT);
                    if (!MEDIA_TYPE.matcher(type).matches()) {
                        throw new IllegalArgumentException(directive + ": -t takes media types such as text/html"
                                + " (no wildcards or parameters), not " + Problems.quote(clip(word)));
                    }
                    types.add(type);
                }
            }
        }
        if (fields.isEmpty()) {
            throw new IllegalArgumentException(directive + " names no field");
        }
        if (statuses.size() > MAX_FILTER_WORDS || types.size() > MAX_FILTER_WORDS) {
            throw new IllegalArgumentException(directive + ": more than " + MAX_FILTER_WORDS + " statuses or types");
        }
        return new Arguments(fields, statuses, types);
    }

    private static HeaderEdit edit(String name, @Nullable String value, HeaderEdit.Mode mode) {
        if (name.indexOf('*') >= 0) {
            throw new IllegalArgumentException("wildcard field names are not supported: " + Problems.quote(clip(name)));
        }
        if (name.indexOf('$') >= 0) {
            throw new IllegalArgumentException("variables ($...) are not expanded in field names");
        }
        String problem = HeaderEdit.nameProblem(name);
        if (problem == null && value != null) {
            problem = HeaderEdit.valueProblem(value);
        }
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        NginxTemplate template = value == null || value.indexOf('$') < 0 ? null : NginxTemplate.parse(value);
        return new HeaderEdit(name, value, mode, template == null || template.constant() ? null : template);
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
