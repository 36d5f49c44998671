package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link HeaderPathBenchmark}'s operations run as JMH would call them, so a change that breaks the benchmark (or
 * leaks a buffer in it: the test JVM runs Netty's paranoid leak detection) fails the build rather than the next
 * measurement.
 */
final class HeaderPathBenchmarkTest {

    @ParameterizedTest
    @ValueSource(strings = {"none", "snippet"})
    void everyOperationEncodesAMessage(String edits) throws Exception {
        HeaderPathBenchmark benchmark = new HeaderPathBenchmark();
        benchmark.edits = edits;
        benchmark.setUp();
        try {
            for (int i = 0; i < 100; i++) {
                long netty = benchmark.nettyRequest();
                long usher = benchmark.request();
                assertThat(netty).isPositive();
                assertThat(usher).as("the forwarding fields are added").isGreaterThan(netty);
                assertThat(benchmark.nettyResponse()).isPositive();
                assertThat(benchmark.response()).isPositive();
            }
        } finally {
            benchmark.tearDown();
        }
        // each operation decoded a duplicate the decoder released; the originals go with the benchmark
        assertThat(benchmark.requestBytes.refCnt()).isZero();
        assertThat(benchmark.responseBytes.refCnt()).isZero();
    }
}
