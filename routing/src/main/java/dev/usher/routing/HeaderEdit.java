package dev.usher.routing;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One edit of the response fields of an Ingress's routes, from the header directives of ingress-nginx's
 * {@code configuration-snippet} (the only part of a snippet Usher reads): nginx's {@code add_header} and the
 * headers-more module's {@code more_set_headers} and {@code more_clear_headers}, and {@code proxy_hide_header}.
 *
 * @param name the field name, lower-case, an RFC 9110 token that is not one of the proxy's own ({@link #PROXY_OWNED})
 * @param value the field value as written (visible ASCII, spaces and tabs inside), or {@code null} for
 *     {@link Mode#CLEAR}
 * @param mode what is done with it
 * @param statuses headers-more's {@code -s}: the response statuses the edit applies to; empty for any
 * @param types headers-more's {@code -t}: the response media types ({@code text/html}, lower case, no parameters) the
 *     edit applies to; empty for any
 * @param template {@code value} parsed, when it holds nginx variables ({@code $host}, {@code $remote_addr}, the
 *     client's {@code $http_<name>} and {@code $cookie_<name>}, ...) expanded per request, each expanded byte that could
 *     not stand in a field percent-encoded; {@code null} for a value sent as written
 */
public record HeaderEdit(
        String name,
        @Nullable String value,
        Mode mode,
        @Nullable NginxTemplate template,
        Set<Integer> statuses,
        Set<String> types) {

    /** Framing and connection management: the proxy's, never a snippet's. */
    public static final Set<String> PROXY_OWNED = Set.of(
            "content-length",
            "transfer-encoding",
            "connection",
            "keep-alive",
            "proxy-connection",
            "te",
            "trailer",
            "upgrade");

    /** What an edit does to the origin's response head. */
    public enum Mode {
        /** {@code more_set_headers}: every field of that name replaced by this one, whatever the status. */
        SET,
        /**
         * {@code add_header}: added beside the origin's own fields of that name, only on 200, 201, 204, 206, 301, 302,
         * 303, 304, 307 and 308 responses.
         */
        ADD,
        /** {@code add_header ... always}: added whatever the status. */
        ADD_ALWAYS,
        /** {@code more_clear_headers}, {@code proxy_hide_header}: every field of that name removed. */
        CLEAR
    }

    public HeaderEdit {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mode, "mode");
        name = name.toLowerCase(Locale.ROOT);
        String problem = nameProblem(name);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if ((value == null) != (mode == Mode.CLEAR)) {
            throw new IllegalArgumentException("a value comes with every mode but CLEAR");
        }
        if (value != null && valueProblem(value) != null) {
            throw new IllegalArgumentException(valueProblem(value));
        }
        if (template != null && value == null) {
            throw new IllegalArgumentException("a template comes with a value");
        }
        statuses = Set.copyOf(Objects.requireNonNull(statuses, "statuses"));
        types = Set.copyOf(Objects.requireNonNull(types, "types"));
        if ((!statuses.isEmpty() || !types.isEmpty()) && (mode == Mode.ADD || mode == Mode.ADD_ALWAYS)) {
            throw new IllegalArgumentException("status and type filters come with set and clear only (headers-more)");
        }
    }

    /** An edit of every response, whatever its status and type. */
    public HeaderEdit(String name, @Nullable String value, Mode mode, @Nullable NginxTemplate template) {
        this(name, value, mode, template, Set.of(), Set.of());
    }

    /** An edit whose value is sent as written. */
    public HeaderEdit(String name, @Nullable String value, Mode mode) {
        this(name, value, mode, null);
    }

    /**
     * The value to send for one request: as written, or the template expanded with {@code variables}, each expanded
     * byte that could not stand in a field percent-encoded ({@link NginxTemplate#expand}).
     */
    public String valueFor(Function<NginxTemplate.Variable, String> variables) {
        String text = Objects.requireNonNull(value, "a cleared field has no value");
        return template == null ? text : template.expand(variables);
    }

    /**
     * Whether any of {@code edits} reads the request head ({@code $http_<name>}, {@code $cookie_<name>},
     * {@code $remote_user}): its fields are then taken as the client sent them, before the head is changed.
     */
    public static boolean anyRequestField(List<HeaderEdit> edits) {
        for (HeaderEdit edit : edits) {
            NginxTemplate template = edit.template();
            if (template != null && template.readsRequestFields()) {
                return true;
            }
        }
        return false;
    }

    /** Whether any of {@code edits} expands variables: a request's values are then read for them. */
    public static boolean anyTemplate(List<HeaderEdit> edits) {
        for (HeaderEdit edit : edits) {
            if (edit.template() != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the edit applies to a response of {@code status} whose {@code Content-Type} is {@code contentType}
     * (as the response has it, or {@code null}): headers-more's {@code -s} and {@code -t} filters, the type compared
     * without its parameters and ignoring case. {@link Mode#ADD}'s status list is {@link #addsTo}'s.
     */
    public boolean appliesTo(int status, @Nullable CharSequence contentType) {
        if (!statuses.isEmpty() && !statuses.contains(status)) {
            return false;
        }
        return types.isEmpty() || contentType != null && types.contains(mediaType(contentType));
    }

    /** {@code text/html; charset=utf-8} as {@code text/html}: lower case, without parameters or blanks. */
    public static String mediaType(CharSequence contentType) {
        String type = contentType.toString();
        int semicolon = type.indexOf(';');
        return (semicolon < 0 ? type : type.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    /** Whether an {@link Mode#ADD} field goes on a response of {@code status} (nginx's {@code add_header} list). */
    public static boolean addsTo(int status) {
        return switch (status) {
            case 200, 201, 204, 206, 301, 302, 303, 304, 307, 308 -> true;
            default -> false;
        };
    }

    /** Why {@code name} cannot be edited, or {@code null}. */
    public static @Nullable String nameProblem(String name) {
        if (name.isEmpty()) {
            return "an empty field name";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean token = c >= 'a' && c <= 'z'
                    || c >= 'A' && c <= 'Z'
                    || c >= '0' && c <= '9'
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!token) {
                return "'" + printable(name) + "' is not a field name";
            }
        }
        if (PROXY_OWNED.contains(name.toLowerCase(Locale.ROOT))) {
            return name + " is the proxy's own field (framing, connection)";
        }
        return null;
    }

    /** Why {@code value} cannot be sent as a field value, or {@code null}: visible ASCII, with spaces and tabs inside. */
    public static @Nullable String valueProblem(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c >= 0x7f) {
                return "a field value may hold only visible ASCII, spaces and tabs";
            }
        }
        if (!value.equals(value.strip())) {
            return "a field value may not start or end with a space";
        }
        return null;
    }

    private static String printable(String s) {
        return s.replaceAll("[^\\x21-\\x7e]", "?");
    }
}
