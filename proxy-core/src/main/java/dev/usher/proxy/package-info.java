/**
 * Usher's data plane: HTTP/1.x listeners that route each request through the {@code RoutingTable} and stream it to an
 * origin over a keep-alive pool owned by the client's event loop.
 *
 * <p>Public surface: {@link dev.usher.proxy.ProxyServer} (built with {@link dev.usher.proxy.ProxyServer#builder()}) and
 * {@link dev.usher.proxy.ProxySettings}. Everything else is package-private. Handlers of one client connection and the
 * origin connections it borrows all run on one event loop, so per-connection and per-pool state needs no locks.
 */
package dev.usher.proxy;
