package dev.usher.routing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * An annotation value with nginx variables ({@code https://$host/oauth2/start?rd=$escaped_request_uri}), parsed once by
 * the translator into literal text and {@link Variable}s, expanded per request by the data plane from the values it
 * knows. Nothing is ever handed to a configuration language: a variable Usher does not know is refused at parse time.
 *
 * <p>Expansion never lets a request's bytes break out of the value: every byte of an expanded variable outside
 * printable ASCII (controls, CR, LF, space, DEL, non-ASCII) and the characters <code>"&lt;&gt;\^`{|}</code> are percent-encoded,
 * so an expanded value can be put in a request line or a header field as it is.
 *
 * @param parts the literal texts and variables, in order
 */
public record NginxTemplate(List<NginxTemplate.Part> parts) {

    /** A piece of a template: literal text or a variable. */
    public sealed interface Part permits Literal, Variable, RequestField {}

    /**
     * A variable read from the request head: {@code $http_<name>} (a header field, {@code _} for {@code -}),
     * {@code $cookie_<name>} (a cookie of the {@code Cookie} field) or {@code $remote_user} (the user of a Basic
     * {@code Authorization}). Expanded by {@link Fields}; a plain function leaves it empty.
     *
     * @param kind which part of the head
     * @param name the field's name (lower-case, {@code -} separated) or the cookie's; empty for {@code $remote_user}
     */
    public record RequestField(Kind kind, String name) implements Part {
        /** Where the value comes from. */
        public enum Kind {
            HEADER,
            COOKIE,
            REMOTE_USER
        }

        public RequestField {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String toString() {
            return switch (kind) {
                case HEADER -> "${http_" + name.replace('-', '_') + "}";
                case COOKIE -> "${cookie_" + name + "}";
                case REMOTE_USER -> "${remote_user}";
            };
        }
    }

    /** Values that can also expand {@link RequestField}s. */
    public interface Fields extends Function<Variable, String> {
        /** The value of {@code field} in the request, or "" when it has none. */
        String field(RequestField field);
    }

    /** Text copied as it is. */
    public record Literal(String text) implements Part {
        public Literal {
            Objects.requireNonNull(text, "text");
        }
    }

    /** The nginx variables Usher expands itself; their values come from the request and its route. */
    public enum Variable implements Part {
        /** {@code $host}: the request's host, lower-case, without its port. */
        HOST("host"),
        /** {@code $scheme}: {@code http} or {@code https}, as the client came. */
        SCHEME("scheme"),
        /** {@code $request_uri}: the request target as the client sent it (path and query). */
        REQUEST_URI("request_uri"),
        /** {@code $escaped_request_uri}: {@code $request_uri} percent-encoded for a query parameter. */
        ESCAPED_REQUEST_URI("escaped_request_uri"),
        /** {@code $best_http_host}: the {@code Host} as the client sent it, with its port. */
        BEST_HTTP_HOST("best_http_host"),
        /** {@code $server_port}: the port of the listener the request came in on. */
        SERVER_PORT("server_port"),
        /** {@code $service_name}: the Service of the route's backend. */
        SERVICE_NAME("service_name"),
        /** {@code $namespace}: the Ingress's namespace. */
        NAMESPACE("namespace"),
        /** {@code $remote_addr}: the client address. */
        REMOTE_ADDR("remote_addr"),
        /**
         * {@code $request_id}, and ingress-nginx's {@code $req_id}: the request's ID, the {@code X-Request-ID} Usher
         * forwards (the client's when it is a safe one, else 32 random hex digits), the same in every use for a
         * request; nginx's own {@code $request_id} would ignore the client's, ingress-nginx's {@code $req_id} does not.
         */
        REQUEST_ID("request_id");

        private final String nginxName;

        Variable(String nginxName) {
            this.nginxName = nginxName;
        }

        /** The name after the {@code $}. */
        public String nginxName() {
            return nginxName;
        }

        static Variable named(String name) {
            if (name.equals("req_id")) { // ingress-nginx's: the client's X-Request-ID, else $request_id
                return REQUEST_ID;
            }
            for (Variable v : values()) {
                if (v.nginxName.equals(name)) {
                    return v;
                }
            }
            throw new IllegalArgumentException(
                    "unknown nginx variable $" + name + "; Usher expands " + String.join(", ", names()));
        }

        private static List<String> names() {
            List<String> names = new ArrayList<>();
            for (Variable v : values()) {
                names.add("$" + v.nginxName);
            }
            return names;
        }
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    public NginxTemplate {
        parts = List.copyOf(Objects.requireNonNull(parts, "parts"));
    }

    /**
     * Parses {@code text}: {@code $name} and {@code ${name}} are variables (the name is letters, digits and
     * {@code _}); a {@code $} not followed by a name is literal text.
     *
     * @throws IllegalArgumentException for a variable Usher does not expand, or a <code>${</code> without its closing brace
     */
    public static NginxTemplate parse(String text) {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            int start = i + 1;
            boolean braced = c == '$' && start < text.length() && text.charAt(start) == '{';
            if (braced) {
                start++;
            }
            int end = start;
            while (end < text.length() && nameChar(text.charAt(end))) {
                end++;
            }
            if (c != '$' || end == start) {
                if (braced) {
                    throw new IllegalArgumentException("'${' without a variable name");
                }
                literal.append(c);
                i++;
                continue;
            }
            if (braced && (end >= text.length() || text.charAt(end) != '}')) {
                throw new IllegalArgumentException("'${" + text.substring(start, end) + "' is not closed with '}'");
            }
            if (literal.length() > 0) {
                parts.add(new Literal(literal.toString()));
                literal.setLength(0);
            }
            parts.add(part(text.substring(start, end)));
            i = braced ? end + 1 : end;
        }
        if (literal.length() > 0) {
            parts.add(new Literal(literal.toString()));
        }
        return new NginxTemplate(parts);
    }

    private static Part part(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http_") && lower.length() > 5) {
            return new RequestField(RequestField.Kind.HEADER, lower.substring(5).replace('_', '-'));
        }
        if (name.startsWith("cookie_") && name.length() > 7) {
            return new RequestField(RequestField.Kind.COOKIE, name.substring(7)); // cookie names are case-sensitive
        }
        if (lower.equals("remote_user")) {
            return new RequestField(RequestField.Kind.REMOTE_USER, "");
        }
        return Variable.named(lower);
    }

    /** Whether the template has no variable: its {@link #expand expansion} is always the same text. */
    public boolean constant() {
        for (Part part : parts) {
            if (!(part instanceof Literal)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the template reads the request head ({@link RequestField}): such a value is the client's to choose, fit
     * for a cache key, never for where a request goes.
     */
    public boolean readsRequestFields() {
        for (Part part : parts) {
            if (part instanceof RequestField) {
                return true;
            }
        }
        return false;
    }

    /** The literal text with every variable left empty: what the template looks like before any request. */
    public String literalText() {
        StringBuilder out = new StringBuilder();
        for (Part part : parts) {
            if (part instanceof Literal literal) {
                out.append(literal.text());
            }
        }
        return out.toString();
    }

    /**
     * The text with each variable replaced by {@code values.apply(variable)}, its unsafe bytes percent-encoded (see
     * the class comment). Literal parts are the translator's, checked when parsed, and stay as they are.
     */
    public String expand(Function<Variable, String> values) {
        StringBuilder out = new StringBuilder(64);
        for (Part part : parts) {
            if (part instanceof Literal literal) {
                out.append(literal.text());
            } else if (part instanceof RequestField field) {
                appendSafe(out, values instanceof Fields fields ? fields.field(field) : "");
            } else {
                appendSafe(out, values.apply((Variable) part));
            }
        }
        return out.toString();
    }

    /** Appends {@code value} with every byte outside printable ASCII, and <code>"&lt;&gt;\^`{|}</code>, percent-encoded. */
    static void appendSafe(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c > ' ' && c < 0x7f && "\"<>\\^`{|}".indexOf(c) < 0) {
                out.append(c);
            } else {
                percent(out, c, value, i);
                if (Character.isHighSurrogate(c) && i + 1 < value.length()) {
                    i++;
                }
            }
        }
    }

    /**
     * {@code value} with every byte outside printable ASCII, and the characters an expansion encodes, percent-encoded:
     * safe in a header field or a request line.
     */
    public static String escapeUnsafe(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        appendSafe(out, value);
        return out.toString();
    }

    /**
     * {@code value} percent-encoded for a query parameter: everything but the unreserved characters of RFC 3986
     * ({@code A-Z a-z 0-9 - . _ ~}), as nginx's {@code $escaped_request_uri} and Go's {@code url.QueryEscape} do.
     */
    public static String escapeComponent(String value) {
        StringBuilder out = new StringBuilder(value.length() + 16);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                percent(out, c, value, i);
                if (Character.isHighSurrogate(c) && i + 1 < value.length()) {
                    i++;
                }
            }
        }
        return out.toString();
    }

    private static void percent(StringBuilder out, char c, String value, int i) {
        byte[] bytes = c < 0x80
                ? new byte[] {(byte) c}
                : value.substring(i, Math.min(value.length(), i + (Character.isHighSurrogate(c) ? 2 : 1)))
                        .getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            out.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
        }
    }

    private static boolean nameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        for (Part part : parts) {
            out.append(
                    part instanceof Variable v
                            ? "${" + v.nginxName() + "}"
                            : part instanceof Literal l ? l.text() : part.toString());
        }
        return out.toString();
    }
}
