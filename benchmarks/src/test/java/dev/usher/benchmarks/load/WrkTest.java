package dev.usher.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class WrkTest {

    private static final String REPORT = """
            Running 10s test @ http://127.0.0.1:18083/p0
              1 threads and 50 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency     2.10ms  512.00us   20.00ms   90.00%
                Req/Sec    24.00k     1.00k   26.00k    70.00%
              Latency Distribution
                 50%    1.95ms
                 75%    2.20ms
                 90%    2.60ms
                 99%    4.10ms
              240000 requests in 10.00s, 120.00MB read
              Socket errors: connect 1, read 2, write 3, timeout 4
              Non-2xx or 3xx responses: 5
            Requests/sec:  24000.00
            Transfer/sec:     12.00MB
            """;

    @Test
    void parse_latencyReport_readsRatePercentilesAndErrors() throws IOException {
        Measurement m = Wrk.parse(REPORT);

        assertThat(m.responses()).isEqualTo(240_000);
        assertThat(m.requestsPerSecond()).isEqualTo(24_000);
        assertThat(m.latency().p50()).isEqualTo(1950);
        assertThat(m.latency().p90()).isEqualTo(2600);
        assertThat(m.latency().p99()).isEqualTo(4100);
        assertThat(m.errors()).isEqualTo(new Errors(Map.of(0, 5L), 1, 2, 4, 3));
    }

    @Test
    void parse_notAReport_failsWithTheOutput() {
        assertThatThrownBy(() -> Wrk.parse("unable to connect to 127.0.0.1:1 Connection refused"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Connection refused");
    }
}
