package dev.usher.routing;

import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * ingress-nginx's {@code custom-http-errors} and {@code default-backend} of an Ingress.
 *
 * <p>{@code backend} (the {@code default-backend} annotation: a Service of the Ingress's namespace, its first port)
 * serves this Ingress's routes whose own backend has no ready endpoint, and is the target of the custom errors. A
 * response of the origin whose status is in {@code codes} (and Usher's own 502, 503, 504 for the route, when listed)
 * is replaced by a {@code GET} of the same path from {@code backend}, else from the controller's default backend,
 * with ingress-nginx's {@code X-Code}, {@code X-Format}, {@code X-Original-URI}, ... fields.
 *
 * @param codes the intercepted statuses (400-599), sorted; empty with only {@code default-backend}
 * @param backend the {@code default-backend} Service port, or {@code null} for the controller's
 */
public record CustomErrors(Set<Integer> codes, @Nullable BackendRef backend) {

    public CustomErrors {
        Objects.requireNonNull(codes, "codes");
        for (int code : codes) {
            if (!isCode(code)) {
                throw new IllegalArgumentException("custom error codes are 400-599, got " + code);
            }
        }
        codes = Collections.unmodifiableSet(new TreeSet<>(codes));
        if (codes.isEmpty() && backend == null) {
            throw new IllegalArgumentException("custom errors need codes or a backend");
        }
    }

    /** Whether {@code status} may be intercepted at all (ingress-nginx accepts 400-599). */
    public static boolean isCode(int status) {
        return status >= 400 && status <= 599;
    }

    /** Whether a response with {@code status} is replaced by the error backend's. */
    public boolean intercepts(int status) {
        return codes.contains(status);
    }

    /** These options with {@code backend} instead. */
    public CustomErrors withBackend(@Nullable BackendRef other) {
        return new CustomErrors(codes, other);
    }
}
