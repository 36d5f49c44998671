package dev.usher.k8s.translate;

import dev.usher.routing.BackendRef;
import dev.usher.routing.CustomErrors;
import dev.usher.routing.PortRef;
import dev.usher.routing.RouteOptions;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * ingress-nginx's {@code custom-http-errors} ({@code "404,503"}: statuses 400-599, spaces allowed, duplicates once)
 * and {@code default-backend} (a Service name of the Ingress's namespace; its first port, as ingress-nginx takes
 * {@code spec.ports[0]}).
 *
 * <p>The codes are read with the other options ({@link #read}); the Service needs the object set, so it is resolved
 * in a second step ({@link #apply}). A bad code list is reported (by the annotation audit) and ignored whole, as
 * ingress-nginx ignores an annotation that fails to parse; a Service that does not exist, or has no port, is reported
 * and ignored (the controller's {@code --default-backend} then serves the errors, as in ingress-nginx).
 */
final class NginxCustomErrors {

    static final String CODES = "custom-http-errors";
    static final String BACKEND = "default-backend";

    /** A Service name: an RFC 1035 label. */
    private static final Pattern SERVICE_NAME = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");

    private NginxCustomErrors() {}

    /** The intercepted codes (the backend comes from {@link #apply}), or {@code null} without valid codes. */
    static @Nullable CustomErrors read(Map<String, String> a) {
        Set<Integer> codes = codes(a.get(Annotations.NGINX + CODES));
        return codes == null || codes.isEmpty() ? null : new CustomErrors(codes, null);
    }

    /** What is wrong with {@code value} of annotation {@code name} (one of this class's), or {@code null}. */
    static @Nullable String problem(String name, String value) {
        return switch (name) {
            case CODES -> codes(value) == null ? "expected a comma-separated list of status codes 400-599" : null;
            case BACKEND ->
                SERVICE_NAME.matcher(value.strip()).matches()
                        ? null
                        : "expected the name of a Service in the Ingress's namespace";
            default -> throw new IllegalArgumentException(name);
        };
    }

    /**
     * {@code options} with the {@code default-backend} Service resolved to its first port; an unknown Service (or one
     * without ports) is reported and left out. Unchanged without the annotation.
     */
    static RouteOptions apply(
            RouteOptions options,
            String namespace,
            Map<String, String> a,
            KubeObjects objects,
            String source,
            Problems problems) {
        String name = a.get(Annotations.NGINX + BACKEND);
        if (name == null || problem(BACKEND, name) != null) {
            return options; // a bad name: reported by the annotation audit
        }
        String service = name.strip();
        BackendRef backend = firstPort(objects.service(namespace, service), namespace, service);
        CustomErrors errors = options.customErrors();
        if (backend == null) {
            problems.add(
                    source,
                    "annotation " + Annotations.NGINX + BACKEND + ": Service " + namespace + "/" + service
                            + " not found or without ports; ignored");
            return options;
        }
        return options.toBuilder()
                .customErrors(errors == null ? new CustomErrors(Set.of(), backend) : errors.withBackend(backend))
                .build();
    }

    private static @Nullable BackendRef firstPort(@Nullable Service service, String namespace, String name) {
        if (service == null || service.getSpec() == null) {
            return null;
        }
        List<ServicePort> ports = service.getSpec().getPorts();
        if (ports == null || ports.isEmpty() || ports.get(0).getPort() == null) {
            return null;
        }
        int port = ports.get(0).getPort();
        return port < 1 || port > 65535 ? null : new BackendRef(namespace, name, PortRef.number(port));
    }

    /** The codes of a {@code custom-http-errors} value, or {@code null} when any item is not a code 400-599. */
    private static @Nullable Set<Integer> codes(@Nullable String value) {
        if (value == null) {
            return null;
        }
        Set<Integer> codes = new TreeSet<>();
        for (String item : value.split(",", -1)) {
            String code = item.strip();
            if (code.length() != 3 || !code.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            int status = Integer.parseInt(code);
            if (!CustomErrors.isCode(status)) {
                return null;
            }
            codes.add(status);
        }
        return codes;
    }
}
