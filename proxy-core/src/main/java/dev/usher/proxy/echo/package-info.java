/**
 * The echo origin: a small Netty HTTP/1.1 server that answers every request with JSON describing what it received.
 *
 * <p>Tests, the {@code usher demo} command and the benchmarks all use it as the upstream behind the proxy. It never
 * sends a {@code Server} header (so a test can tell the proxy added one), always frames its replies with
 * {@code Content-Length}, and streams request bodies (it counts bytes and never aggregates them).
 */
package dev.usher.proxy.echo;
