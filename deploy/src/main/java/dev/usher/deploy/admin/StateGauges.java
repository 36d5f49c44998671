package dev.usher.deploy.admin;

import dev.usher.routing.Backend;
import dev.usher.routing.Route;
import dev.usher.routing.RoutingTable;
import dev.usher.tls.CertificateStore;
import dev.usher.tls.TlsCertificate;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Gauges of what is in force now, one series per object, refreshed just before each scrape:
 * <ul>
 *   <li>{@code usher_backend_endpoints_ready{namespace, ingress, service}}: the ready endpoints of the Service an
 *       Ingress routes to (the fewest, when it uses the Service on several ports); 0 means its requests get 503.
 *       The {@code --default-backend} flag's Service counts under {@code ingress="none"}.</li>
 *   <li>{@code usher_certificate_expiry_timestamp_seconds{secret}}: when each served certificate's leaf expires,
 *       per Secret ({@code namespace/name}; {@code default} for the generated or {@code --default-ssl-certificate}
 *       one's own id).</li>
 * </ul>
 * A series whose object is gone disappears at the next scrape ({@link MultiGauge} with overwrite), so the set stays
 * as small as the configuration.
 */
final class StateGauges {

    private final RoutingTable table;
    private final CertificateStore certificates;
    private final MultiGauge endpoints;
    private final MultiGauge expiry;

    /** @param certificates the SNI store, or {@code null} without HTTPS */
    StateGauges(MeterRegistry registry, RoutingTable table, CertificateStore certificates) {
        this.table = table;
        this.certificates = certificates;
        this.endpoints = MultiGauge.builder("usher.backend.endpoints.ready")
                .description("Ready endpoints of the Service an Ingress routes to; 0 means 503 for its requests")
                .register(registry);
        this.expiry = MultiGauge.builder("usher.certificate.expiry.timestamp")
                .baseUnit("seconds")
                .description("When a served certificate's leaf expires (Unix time), per Secret")
                .register(registry);
    }

    /** Replaces every series with the state in force now; cheap (one pass over routes and certificates). */
    void refresh() {
        Map<Tags, Integer> ready = new HashMap<>();
        for (Route route : table.current().routes()) {
            Backend backend = route.isNotFound() ? null : route.backend();
            if (backend == null) {
                continue;
            }
            Tags tags = Tags.of(
                    "namespace",
                    backend.ref().namespace(),
                    "ingress",
                    route.ingress() == null ? "none" : route.ingress(),
                    "service",
                    backend.ref().service());
            ready.merge(tags, backend.endpoints().size(), Math::min);
        }
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        ready.forEach((tags, count) -> rows.add(MultiGauge.Row.of(tags, count)));
        endpoints.register(rows, true);

        if (certificates != null) {
            Map<String, TlsCertificate> bySecret = new TreeMap<>();
            certificates.certificates().values().forEach(c -> bySecret.putIfAbsent(c.id(), c));
            TlsCertificate fallback = certificates.defaultCertificate();
            bySecret.putIfAbsent(fallback.id(), fallback);
            List<MultiGauge.Row<?>> certificateRows = new ArrayList<>();
            bySecret.forEach((id, certificate) -> certificateRows.add(MultiGauge.Row.of(
                    Tags.of("secret", id), certificate.notAfter().getEpochSecond())));
            expiry.register(certificateRows, true);
        }
    }
}
