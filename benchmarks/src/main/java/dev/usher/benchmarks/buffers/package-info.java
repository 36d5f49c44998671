/** JMH benchmarks of Netty's buffer allocator as Usher's event loops use it. */
package dev.usher.benchmarks.buffers;
