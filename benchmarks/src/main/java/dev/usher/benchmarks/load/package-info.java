/**
 * The end-to-end load harness: a Netty HTTP/1.1 load client (closed-loop and coordinated-omission-corrected
 * open-loop), Usher launched as a separate process on a generated manifests folder, CPU and RSS read from
 * {@code /proc}, the churn scenario, the side-by-side comparison, and the JSON and SVG reports.
 *
 * <p>Run it as {@code java -jar benchmarks/target/usher-bench.jar} (main class {@link LoadMain}).
 */
package dev.usher.benchmarks.load;
