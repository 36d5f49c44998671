/** JMH benchmarks of the routing snapshot: lookups by scenario and host count, and snapshot compilation. */
package dev.usher.benchmarks.routing;
