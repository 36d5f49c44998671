package dev.usher.proxy;

import dev.usher.routing.NginxTemplate;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * The nginx variables of a request including those read from its head ({@code $http_<name>}, {@code $cookie_<name>},
 * {@code $remote_user}), as nginx computes them: header fields repeated are joined with {@code ", "}, a cookie is the
 * first of that name, the user is the part before {@code :} of a Basic {@code Authorization}.
 */
record RequestFieldValues(RequestVariables variables, HttpHeaders headers) implements NginxTemplate.Fields {

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
