package dev.usher.proxy;

import dev.usher.routing.HeaderEdit;
import dev.usher.routing.NginxTemplate;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The nginx variables of a request including those read from its head ({@code $http_<name>}, {@code $cookie_<name>},
 * {@code $remote_user}), as nginx computes them: header fields repeated are joined with {@code ", "}, a cookie is the
 * first of that name, the user is the part before {@code :} of a Basic {@code Authorization}.
 */
record RequestFieldValues(RequestVariables variables, HttpHeaders headers) implements NginxTemplate.Fields {

    /**
     * The values of {@code variables} and of every request field {@code edits} read, the fields taken now from
     * {@code headers}: nginx's {@code $http_<name>} is the field as the client sent it, and the head is changed for the
     * origin (or released) before the edits are applied. Reads nothing when no edit reads a field.
     */
    static Function<NginxTemplate.Variable, String> captured(
            RequestVariables variables, HttpHeaders headers, List<HeaderEdit> edits) {
        if (!HeaderEdit.anyRequestField(edits)) {
            return variables;
        }
        RequestFieldValues live = new RequestFieldValues(variables, headers);
        Map<NginxTemplate.RequestField, String> values = new HashMap<>();
        for (HeaderEdit edit : edits) {
            NginxTemplate template = edit.template();
            if (template != null) {
                for (NginxTemplate.Part part : template.parts()) {
                    if (part instanceof NginxTemplate.RequestField field) {
                        values.computeIfAbsent(field, live::field);
                    }
                }
            }
        }
        return new NginxTemplate.Fields() {
            @Override
            public String apply(NginxTemplate.Variable variable) {
                return variables.apply(variable);
            }

            @Override
            public String field(NginxTemplate.RequestField field) {
                return values.getOrDefault(field, "");
            }
        };
    }

    @Override
    public String apply(NginxTemplate.Variable variable) {
        return variables.apply(variable);
    }

    @Override
    public String field(NginxTemplate.RequestField field) {
        return switch (field.kind()) {
            case HEADER -> String.join(", ", headers.getAll(field.name()));
            case COOKIE -> cookie(field.name());
            case REMOTE_USER -> remoteUser();
        };
    }

    private String cookie(String name) {
        List<String> fields = headers.getAll(HttpHeaderNames.COOKIE);
        for (String value : fields) {
            for (String pair : value.split(";", -1)) {
                String p = pair.strip();
                if (p.length() > name.length() && p.startsWith(name) && p.charAt(name.length()) == '=') {
                    return p.substring(name.length() + 1);
                }
            }
        }
        return "";
    }

    private String remoteUser() {
        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return "";
        }
        try {
            String decoded = new String(
                    Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? "" : decoded.substring(0, colon);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }
}
