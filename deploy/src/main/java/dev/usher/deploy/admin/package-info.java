/**
 * The admin port: health and readiness probes, Prometheus metrics and the routing debug views.
 *
 * <p>It runs on the JDK's own HTTP server, on one thread, apart from the data plane's event loops, so a slow scrape
 * or a large {@code /debug/routes} never delays proxied traffic.
 */
package dev.usher.deploy.admin;
