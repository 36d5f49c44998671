/**
 * The routing model and the compiled, immutable routing snapshot that the data plane reads without locks.
 *
 * <p>This package sees neither Netty nor fabric8 types: translators build
 * {@link dev.usher.routing.IngressRuleSet} records, {@link dev.usher.routing.RoutingSnapshot#builder()} compiles
 * them, and {@link dev.usher.routing.RoutingTable} publishes the result with one volatile write.
 */
package dev.usher.routing;
