package dev.usher.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

final class ErrorsTest {

    @Test
    void total_countsStatusesAndEveryOtherKind() {
        Errors errors = new Errors(Map.of(503, 2L, 404, 1L), 4, 5, 6, 7);

        assertThat(errors.nonSuccess()).isEqualTo(3);
        assertThat(errors.total()).isEqualTo(3 + 4 + 5 + 6 + 7);
    }

    @Test
    void summary_listsStatusesInOrderThenKinds() {
        Errors errors = new Errors(Map.of(503, 2L, 404, 1L), 0, 1, 0, 0);

        assertThat(errors.summary()).isEqualTo("404x1 503x2 reset=1");
    }

    @Test
    void summary_nothingFailed_saysNone() {
        assertThat(new Errors(Map.of(), 0, 0, 0, 0).summary()).isEqualTo("none");
    }

    @Test
    void counters_snapshot_holdsWhatWasCounted() {
        Counters counters = new Counters();
        counters.status(502);
        counters.status(502);
        counters.connect();
        counters.reset();
        counters.timeout();
        counters.other();

        assertThat(counters.snapshot()).isEqualTo(new Errors(Map.of(502, 2L), 1, 1, 1, 1));
    }
}
