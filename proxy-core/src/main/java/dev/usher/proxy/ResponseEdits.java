package dev.usher.proxy;

import dev.usher.routing.HeaderEdit;
import dev.usher.routing.NginxTemplate;
import dev.usher.routing.Route;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The header edits for the answers to one request: the proxy's own ({@code --add-header}) then its Ingress's (the
 * header directives of its {@code configuration-snippet}), with that request's variables when an edit expands any, read as the client sent it: applied last to the
 * origin's final response head (the exchange) and to Usher's own answers once the request has a route
 * ({@link ClientHandler}), as nginx's location would.
 */
final class ResponseEdits {

    /** No edits: most routes, and requests no rule matched. */
    static final ResponseEdits NONE = new ResponseEdits(List.of(), RequestVariables.NONE);

    private final List<HeaderEdit> edits;
    private final Function<NginxTemplate.Variable, String> variables;

    private ResponseEdits(List<HeaderEdit> edits, Function<NginxTemplate.Variable, String> variables) {
        this.edits = edits;
        this.variables = variables;
    }

    /**
     * The proxy's own edits ({@code global}, {@link ProxySettings#addHeaders}) then those of {@code route} for
     * {@code request}, before its head is changed for the origin; {@code target} is the request's when already known,
     * else read from it only if an edit needs it.
     */
    static ResponseEdits of(
            List<HeaderEdit> global,
            @Nullable Route route,
            HttpRequest request,
            Requests.@Nullable Target target,
            ClientConnection conn,
            RequestRecord record) {
        List<HeaderEdit> own = route == null ? List.of() : route.options().headerEdits();
        if (own.isEmpty()) {
            return global.isEmpty() ? NONE : new ResponseEdits(global, RequestVariables.NONE);
        }
        List<HeaderEdit> edits = global.isEmpty() ? own : concat(global, own);
        Function<NginxTemplate.Variable, String> variables = RequestVariables.NONE;
        if (route != null && HeaderEdit.anyTemplate(own)) {
            Requests.Target t = target != null ? target : Requests.target(request);
            if (t != null) {
                variables = RequestFieldValues.captured(
                        RequestVariables.of(request, t, conn, route, record), request.headers(), own);
            }
        }
        return new ResponseEdits(edits, variables);
    }

    private static List<HeaderEdit> concat(List<HeaderEdit> first, List<HeaderEdit> then) {
        List<HeaderEdit> all = new ArrayList<>(first.size() + then.size());
        all.addAll(first);
        all.addAll(then);
        return List.copyOf(all);
    }

    /**
     * Applies the edits in order: set, add (nginx's {@code add_header} statuses unless {@code always}) or clear; an edit
     * with headers-more's status or type filter only on a response they name (the type as the head has it then).
     */
    void apply(HttpResponse response) {
        HttpHeaders headers = response.headers();
        int status = response.status().code();
        for (HeaderEdit edit : edits) {
            if (!edit.statuses().isEmpty() || !edit.types().isEmpty()) { // headers-more's -s and -t
                if (!edit.appliesTo(status, headers.get(HttpHeaderNames.CONTENT_TYPE))) {
                    continue;
                }
            }
            switch (edit.mode()) {
                case SET -> headers.set(edit.name(), edit.valueFor(variables));
                case ADD -> {
                    if (HeaderEdit.addsTo(status)) {
                        headers.add(edit.name(), edit.valueFor(variables));
                    }
                }
                case ADD_ALWAYS -> headers.add(edit.name(), edit.valueFor(variables));
                case CLEAR -> headers.remove(edit.name());
            }
        }
    }
}
