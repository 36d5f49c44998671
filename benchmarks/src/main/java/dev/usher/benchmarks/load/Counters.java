package dev.usher.benchmarks.load;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Thread-safe error counters for one window; the generator swaps in a fresh set when counting starts. */
final class Counters {

    private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    private final LongAdder connect = new LongAdder();
    private final LongAdder resets = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder other = new LongAdder();

    void status(int code) {
        statuses.computeIfAbsent(code, c -> new LongAdder()).increment();
    }

    void connect() {
        connect.increment();
    }

    void reset() {
        resets.increment();
    }

    void timeout() {
        timeouts.increment();
    }

    void other() {
        other.increment();
    }

    Errors snapshot() {
        Map<Integer, Long> byStatus = new HashMap<>();
        statuses.forEach((code, count) -> byStatus.put(code, count.sum()));
        return new Errors(byStatus, connect.sum(), resets.sum(), timeouts.sum(), other.sum());
    }
}
