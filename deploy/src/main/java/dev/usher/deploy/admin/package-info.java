/**
 * The admin port: health and readiness probes, Prometheus metrics, the routing debug views and the page at
 * {@code /}; the debug surface answers loopback clients only unless {@code --debug-from} allows more.
 *
 * <p>It runs on the JDK's own HTTP server, on one thread, apart from the data plane's event loops, so a slow scrape
 * or a large {@code /debug/routes} never delays proxied traffic.
 */
package dev.usher.deploy.admin;
