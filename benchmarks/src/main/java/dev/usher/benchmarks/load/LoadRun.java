package dev.usher.benchmarks.load;

import io.netty.buffer.ByteBuf;
import org.HdrHistogram.Recorder;

/**
 * State shared by every connection of one run: settings, encoded requests, and the current window.
 *
 * <p>A window pairs a latency recorder with error counters. Connections read the window once per event and write
 * both parts into it, so the warm-up's responses and errors are dropped together when the counted window replaces
 * it, and nothing lands anywhere once the run stops.
 */
final class LoadRun {

    /** Longest latency recorded as itself; anything slower is clamped (an hour is beyond any request timeout). */
    static final long MAX_MICROS = 3_600_000_000L;

    /** Latencies and errors of one phase of the run. */
    static final class Window {
        final Recorder recorder = new Recorder(3);
        final Counters counters = new Counters();
    }

    private final LoadSettings settings;
    private final ByteBuf[] requests;
    private final Counters discarded = new Counters();
    private volatile Window window = new Window();

    LoadRun(LoadSettings settings, ByteBuf[] requests) {
        this.settings = settings;
        this.requests = requests;
    }

    LoadSettings settings() {
        return settings;
    }

    /** The bytes of request {@code index} (modulo the count), as a duplicate the write will release. */
    ByteBuf request(long index) {
        return requests[(int) (index % requests.length)].retainedDuplicate();
    }

    int requestCount() {
        return requests.length;
    }

    /** Records one complete response in the current window. */
    void response(long latencyNanos, int status) {
        Window current = window;
        if (current == null) {
            return;
        }
        current.recorder.recordValue(Math.min(MAX_MICROS, Math.max(0, latencyNanos / 1000)));
        if (status < 200 || status > 299) {
            current.counters.status(status);
        }
    }

    /** Where errors are counted now; after the stop, a set nobody reads. */
    Counters counters() {
        Window current = window;
        return current == null ? discarded : current.counters;
    }

    Window window() {
        return window;
    }

    boolean stopped() {
        return window == null;
    }

    /** Opens the counted window and returns it; the warm-up window is dropped. */
    Window startCounting() {
        Window counted = new Window();
        window = counted;
        return counted;
    }

    /** Nothing is recorded from now on; connections stop sending. */
    void stop() {
        window = null;
    }

    /** Frees the encoded requests once no connection can write any more. */
    void release() {
        for (ByteBuf request : requests) {
            if (request.refCnt() > 0) {
                request.release();
            }
        }
    }
}
